"""``python -m peers.cardsystem [--host 127.0.0.1] [--port 8767] [--key-dir DIR]``: serve the
個人番号カード管理システム simulator until interrupted (Ctrl-C)."""

from __future__ import annotations

import argparse
import logging
import os
from pathlib import Path

from peers.cardsystem.server import make_demo_server

logger = logging.getLogger("peers.cardsystem")


def main(argv: list[str] | None = None) -> None:
    default_dir = Path(os.environ.get("JUMIN_VAR_DIR") or "var") / "jukinet"
    parser = argparse.ArgumentParser(
        prog="python -m peers.cardsystem", description="個人番号カード管理システム simulator"
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8767, help="port (default 8767; 0 = any free port)")
    parser.add_argument("--key-dir", type=Path, default=default_dir, help=f"key directory (default {default_dir})")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    server = make_demo_server(args.host, args.port, args.key_dir)
    logger.info("個人番号カード管理システム simulator on %s (JUMIN_CARDSYSTEM_URL=%s)", server.url, server.url)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        logger.info("stopped")
    finally:
        server.server_close()


if __name__ == "__main__":
    main()
