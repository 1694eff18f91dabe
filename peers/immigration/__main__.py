"""``python -m peers.immigration [--host 127.0.0.1] [--port 8771] [--key-dir DIR]``: serve the
出入国在留管理庁 simulator until interrupted (Ctrl-C).

DIR (default ``$JUMIN_VAR_DIR/jukinet``, else ``var/jukinet``): the simulator keeps its own key
there, writes its public key as ``immigration_ed25519.pub`` (which jumin trusts) and trusts
jumin's ``cs_ed25519.pub``."""

from __future__ import annotations

import logging

from peers.cli import configure_logging, parser, serve_until_interrupted
from peers.immigration.server import make_demo_server

logger = logging.getLogger("peers.immigration")


def main(argv: list[str] | None = None) -> None:
    args = parser(
        "python -m peers.immigration", "出入国在留管理庁 simulator (市町村通知・法務省通知)", 8771
    ).parse_args(argv)
    configure_logging(args)
    server = make_demo_server(args.host, args.port, args.key_dir)
    serve_until_interrupted(
        server, logger, f"出入国在留管理庁 simulator on {server.url} (JUMIN_IMMIGRATION_URL={server.url})"
    )


if __name__ == "__main__":
    main()
