"""``python -m peers.jpki [--host 127.0.0.1] [--port 8768] [--key-dir DIR]``: serve the simulated
認証局 until interrupted.  With ``--key-dir`` the CA certificate is written there as
``jpki_ca.pem`` (jumin's trust anchor) and the CRL as ``jpki_crl.pem`` (refreshed on start only;
set ``JUMIN_JPKI_CRL_URL=http://HOST:PORT/crl.pem`` for the live list)."""

from __future__ import annotations

import argparse
import logging
from pathlib import Path

from peers.jpki.server import make_server

logger = logging.getLogger("peers.jpki")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m peers.jpki", description="J-LIS 認証局 (個人番号カード) simulator")
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8768, help="port (default 8768; 0 = any free port)")
    parser.add_argument("--key-dir", type=Path, help="write jpki_ca.pem and jpki_crl.pem into this directory")
    parser.add_argument("--verbose", action="store_true", help="log every request's method and path")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.INFO, format="%(asctime)s %(message)s")
    server = make_server(args.host, args.port)
    authority = server.repository.authority
    if args.key_dir is not None:
        args.key_dir.mkdir(parents=True, exist_ok=True)
        (args.key_dir / "jpki_ca.pem").write_bytes(authority.pem)
        (args.key_dir / "jpki_crl.pem").write_bytes(authority.crl_pem())
    logger.info("JPKI 認証局 simulator on %s (JUMIN_JPKI_CRL_URL=%s/crl.pem)", server.url, server.url)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        logger.info("stopped")
    finally:
        server.server_close()


if __name__ == "__main__":
    main()
