"""``python -m peers.provision_network [--host 127.0.0.1] [--port 8771] [--key-dir DIR]``: serve
the 情報提供ネットワークシステム simulator until interrupted (Ctrl-C)."""

from __future__ import annotations

import logging

from peers.cli import configure_logging, parser, serve_until_interrupted
from peers.provision_network.server import make_demo_server

logger = logging.getLogger("peers.provision_network")


def main(argv: list[str] | None = None) -> None:
    args = parser("python -m peers.provision_network", "情報提供ネットワークシステム simulator", 8771).parse_args(argv)
    configure_logging(args)
    server = make_demo_server(args.host, args.port, args.key_dir)
    serve_until_interrupted(
        server,
        logger,
        f"情報提供ネットワークシステム simulator on {server.url} (JUMIN_PROVISION_NETWORK_URL={server.url})",
    )


if __name__ == "__main__":
    main()
