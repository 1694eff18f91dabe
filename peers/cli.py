"""The command line every simulator shares: ``--host``, ``--port``, ``--verbose`` (and
``--key-dir`` for the signed ones), then serving until interrupted (Ctrl-C).

With ``PEERS_TLS_CERT`` (PEM certificate chain) and ``PEERS_TLS_KEY`` (its private key) in the
environment a simulator serves HTTPS instead of HTTP — as ``make prod-demo`` runs them, since the
production settings allow only https:// links to national systems (jumin.E002)."""

from __future__ import annotations

import argparse
import logging
import os
import ssl
from http.server import HTTPServer
from pathlib import Path


def parser(prog: str, description: str, port: int, *, key_dir: bool = True) -> argparse.ArgumentParser:
    """``--key-dir`` defaults to ``$JUMIN_VAR_DIR/jukinet``, where jumin keeps its 住基ネット keys."""
    result = argparse.ArgumentParser(prog=prog, description=description)
    result.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    result.add_argument("--port", type=int, default=port, help=f"port (default {port}; 0 = any free port)")
    if key_dir:
        default = Path(os.environ.get("JUMIN_VAR_DIR") or "var") / "jukinet"
        result.add_argument("--key-dir", type=Path, default=default, help=f"key directory (default {default})")
    result.add_argument("--verbose", action="store_true", help="log every request's method and path")
    return result


def configure_logging(args: argparse.Namespace) -> None:
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.INFO, format="%(asctime)s %(message)s")


def serve_until_interrupted(server: HTTPServer, logger: logging.Logger, banner: str) -> None:
    certificate = os.environ.get("PEERS_TLS_CERT", "")
    if certificate:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.minimum_version = ssl.TLSVersion.TLSv1_2
        context.load_cert_chain(certificate, os.environ.get("PEERS_TLS_KEY") or None)
        server.socket = context.wrap_socket(server.socket, server_side=True)
        banner = banner.replace("http://", "https://")
    logger.info(banner)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        logger.info("stopped")
    finally:
        server.server_close()
