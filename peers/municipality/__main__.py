"""``python -m peers.municipality [--host 127.0.0.1] [--port 8767] [--key-dir DIR]``: serve the
other-municipality simulator until interrupted (Ctrl-C).

DIR (default ``$JUMIN_VAR_DIR/jukinet``, else ``var/jukinet``): the simulator keeps its own key
there, writes its public key as ``municipality_ed25519.pub`` (which jumin trusts) and trusts
jumin's ``cs_ed25519.pub``."""

from __future__ import annotations

import logging

from peers.cli import configure_logging, parser, serve_until_interrupted
from peers.municipality.server import make_demo_server

logger = logging.getLogger("peers.municipality")


def main(argv: list[str] | None = None) -> None:
    args = parser("python -m peers.municipality", "他市町村 simulator (転入通知)", 8767).parse_args(argv)
    configure_logging(args)
    server = make_demo_server(args.host, args.port, args.key_dir)
    serve_until_interrupted(server, logger, f"他市町村 simulator on {server.url} (JUMIN_MUNICIPALITY_URL={server.url})")


if __name__ == "__main__":
    main()
