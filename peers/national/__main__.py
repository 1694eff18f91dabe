"""``python -m peers.national [--host 127.0.0.1] [--port 8772] [--key-dir DIR] [--copy FILE]``:
serve the 全国サーバ simulator until interrupted (Ctrl-C).

DIR (default ``$JUMIN_VAR_DIR/jukinet``) is jumin's 住基ネット key directory: the simulator keeps
its own key there (``national_sim_ed25519.key``), writes its public key as
``national_ed25519.pub`` (which jumin trusts) and trusts jumin's ``cs_ed25519.pub``.  FILE: the
本人確認情報 it holds, one telegram body (JSON) a line."""

from __future__ import annotations

import logging
from pathlib import Path

from peers.cli import configure_logging, parser, serve_until_interrupted
from peers.national import OWN_KEY, OWN_PUBLIC
from peers.prefecture.server import make_demo_server

logger = logging.getLogger("peers.national")


def main(argv: list[str] | None = None) -> None:
    arguments = parser("python -m peers.national", "全国サーバ simulator", 8772)
    arguments.add_argument(
        "--copy", type=Path, default=None, help="the 本人確認情報 held (NDJSON, one telegram body a line)"
    )
    args = arguments.parse_args(argv)
    configure_logging(args)
    server = make_demo_server(args.host, args.port, args.key_dir, args.copy, own_key=OWN_KEY, own_public=OWN_PUBLIC)
    serve_until_interrupted(server, logger, f"全国サーバ simulator on {server.url} (JUMIN_NATIONAL_URL={server.url})")


if __name__ == "__main__":
    main()
