"""``python -m peers.prefecture [--host 127.0.0.1] [--port 8766] [--key-dir DIR]``: serve the
都道府県サーバ simulator until interrupted (Ctrl-C).

DIR (default ``$JUMIN_VAR_DIR/jukinet``, else ``var/jukinet``) is where jumin keeps its
住基ネット keys: the simulator keeps its own key there, writes its public key as
``prefecture_ed25519.pub`` (which jumin trusts) and trusts jumin's ``cs_ed25519.pub``."""

from __future__ import annotations

import argparse
import logging
import os
from pathlib import Path

from peers.prefecture.server import make_demo_server

logger = logging.getLogger("peers.prefecture")


def main(argv: list[str] | None = None) -> None:
    default_dir = Path(os.environ.get("JUMIN_VAR_DIR") or "var") / "jukinet"
    parser = argparse.ArgumentParser(prog="python -m peers.prefecture", description="都道府県サーバ simulator")
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8766, help="port (default 8766; 0 = any free port)")
    parser.add_argument("--key-dir", type=Path, default=default_dir, help=f"key directory (default {default_dir})")
    parser.add_argument(
        "--copy", type=Path, default=None, help="load the prefecture's copy (NDJSON, one telegram body a line)"
    )
    parser.add_argument("--verbose", action="store_true", help="log every request's method and path")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.INFO, format="%(asctime)s %(message)s")
    server = make_demo_server(args.host, args.port, args.key_dir, args.copy)
    if server.book.copy is not None:
        logger.info("copy loaded: %s records", len(server.book.copy.digests))
    logger.info("都道府県サーバ simulator on %s (JUMIN_PREFECTURE_URL=%s)", server.url, server.url)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        logger.info("stopped")
    finally:
        server.server_close()


if __name__ == "__main__":
    main()
