"""``python -m peers.koseki [--host 127.0.0.1] [--port 8774] [--key-dir DIR]``: serve the 本籍地
(戸籍・戸籍の附票) simulator until interrupted (Ctrl-C).

DIR (default ``$JUMIN_VAR_DIR/jukinet``, else ``var/jukinet``): the simulator keeps its own key
there, writes its public key as ``koseki_ed25519.pub`` (which jumin trusts) and trusts jumin's
``cs_ed25519.pub``."""

from __future__ import annotations

import logging

from peers.cli import configure_logging, parser, serve_until_interrupted
from peers.koseki.server import make_demo_server

logger = logging.getLogger("peers.koseki")


def main(argv: list[str] | None = None) -> None:
    args = parser("python -m peers.koseki", "本籍地 simulator (戸籍・戸籍の附票)", 8774).parse_args(argv)
    configure_logging(args)
    server = make_demo_server(args.host, args.port, args.key_dir)
    serve_until_interrupted(server, logger, f"本籍地 simulator on {server.url} (JUMIN_KOSEKI_URL={server.url})")


if __name__ == "__main__":
    main()
