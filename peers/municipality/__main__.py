"""``python -m peers.municipality [--host 127.0.0.1] [--port 8767] [--key-dir DIR]``: serve the
other-municipality simulator until interrupted (Ctrl-C).

DIR (default ``$JUMIN_VAR_DIR/jukinet``, else ``var/jukinet``): the simulator keeps its own key
there, writes its public key as ``municipality_ed25519.pub`` (which jumin trusts) and trusts
jumin's ``cs_ed25519.pub``."""

from __future__ import annotations

import argparse
import logging
import os
from pathlib import Path

from peers.municipality.server import make_demo_server

logger = logging.getLogger("peers.municipality")


def main(argv: list[str] | None = None) -> None:
    default_dir = Path(os.environ.get("JUMIN_VAR_DIR") or "var") / "jukinet"
    parser = argparse.ArgumentParser(prog="python -m peers.municipality", description="他市町村 simulator (転入通知)")
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8767, help="port (default 8767; 0 = any free port)")
    parser.add_argument("--key-dir", type=Path, default=default_dir, help=f"key directory (default {default_dir})")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    server = make_demo_server(args.host, args.port, args.key_dir)
    logger.info("他市町村 simulator on %s (JUMIN_MUNICIPALITY_URL=%s)", server.url, server.url)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        logger.info("stopped")
    finally:
        server.server_close()


if __name__ == "__main__":
    main()
