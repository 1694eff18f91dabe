"""``python -m peers.cardsystem [--host 127.0.0.1] [--port 8769] [--key-dir DIR]``: serve the
個人番号カード管理システム simulator until interrupted (Ctrl-C)."""

from __future__ import annotations

import logging

from peers.cardsystem.server import make_demo_server
from peers.cli import configure_logging, parser, serve_until_interrupted

logger = logging.getLogger("peers.cardsystem")


def main(argv: list[str] | None = None) -> None:
    args = parser("python -m peers.cardsystem", "個人番号カード管理システム simulator", 8769).parse_args(argv)
    configure_logging(args)
    server = make_demo_server(args.host, args.port, args.key_dir)
    serve_until_interrupted(
        server, logger, f"個人番号カード管理システム simulator on {server.url} (JUMIN_CARDSYSTEM_URL={server.url})"
    )


if __name__ == "__main__":
    main()
