"""``python -m peers.jlis [--host 127.0.0.1] [--port 8765]``: serve the J-LIS 個人番号生成
simulator until interrupted (Ctrl-C)."""

from __future__ import annotations

import argparse
import logging

from peers.jlis.server import make_server

logger = logging.getLogger("peers.jlis")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m peers.jlis", description="J-LIS 個人番号生成 simulator")
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8765, help="port (default 8765; 0 = any free port)")
    parser.add_argument("--verbose", action="store_true", help="log every request's method and path")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.INFO, format="%(asctime)s %(message)s")
    server = make_server(args.host, args.port)
    logger.info("J-LIS 個人番号生成 simulator on %s (JUMIN_NUMBER_SERVICE_URL=%s)", server.url, server.url)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        logger.info("stopped")
    finally:
        server.server_close()


if __name__ == "__main__":
    main()
