"""``python -m peers.prefecture [--host 127.0.0.1] [--port 8766] [--key-dir DIR]``: serve the
都道府県サーバ simulator until interrupted (Ctrl-C).

DIR (default ``$JUMIN_VAR_DIR/jukinet``, else ``var/jukinet``) is where jumin keeps its
住基ネット keys: the simulator keeps its own key there, writes its public key as
``prefecture_ed25519.pub`` (which jumin trusts) and trusts jumin's ``cs_ed25519.pub``."""

from __future__ import annotations

import logging
from pathlib import Path

from peers.cli import configure_logging, parser, serve_until_interrupted
from peers.prefecture.server import make_demo_server

logger = logging.getLogger("peers.prefecture")


def main(argv: list[str] | None = None) -> None:
    arguments = parser("python -m peers.prefecture", "都道府県サーバ simulator", 8766)
    arguments.add_argument(
        "--copy", type=Path, default=None, help="load the prefecture's copy (NDJSON, one telegram body a line)"
    )
    args = arguments.parse_args(argv)
    configure_logging(args)
    server = make_demo_server(args.host, args.port, args.key_dir, args.copy)
    if server.book.copy is not None:
        logger.info("copy loaded: %s records", len(server.book.copy.digests))
    serve_until_interrupted(
        server, logger, f"都道府県サーバ simulator on {server.url} (JUMIN_PREFECTURE_URL={server.url})"
    )


if __name__ == "__main__":
    main()
