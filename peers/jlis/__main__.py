"""``python -m peers.jlis [--host 127.0.0.1] [--port 8765]``: serve the J-LIS 個人番号生成
simulator until interrupted (Ctrl-C)."""

from __future__ import annotations

import logging

from peers.cli import configure_logging, parser, serve_until_interrupted
from peers.jlis.server import make_server

logger = logging.getLogger("peers.jlis")


def main(argv: list[str] | None = None) -> None:
    args = parser("python -m peers.jlis", "J-LIS 個人番号生成 simulator", 8765, key_dir=False).parse_args(argv)
    configure_logging(args)
    server = make_server(args.host, args.port)
    serve_until_interrupted(
        server, logger, f"J-LIS 個人番号生成 simulator on {server.url} (JUMIN_NUMBER_SERVICE_URL={server.url})"
    )


if __name__ == "__main__":
    main()
