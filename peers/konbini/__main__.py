"""``python -m peers.konbini [--host 127.0.0.1] [--port 8770] --jpki-url URL --municipality-url URL
--api-key KEY``: serve the 証明書交付センター simulator until interrupted (Ctrl-C).  The API key is
the one ``jumin linked_system add KONBINI … --capability issue_certificate`` printed (or set
``KONBINI_API_KEY``)."""

from __future__ import annotations

import logging
import os

from peers.cli import configure_logging, parser, serve_until_interrupted
from peers.konbini.server import Center, make_server

logger = logging.getLogger("peers.konbini")


def main(argv: list[str] | None = None) -> None:
    arguments = parser("python -m peers.konbini", "証明書交付センター (コンビニ交付) simulator", 8770, key_dir=False)
    arguments.add_argument("--jpki-url", default="http://127.0.0.1:8768", help="the peers.jpki simulator")
    arguments.add_argument("--municipality-url", default="http://127.0.0.1:8000", help="jumin")
    arguments.add_argument("--api-key", default=os.environ.get("KONBINI_API_KEY", ""), help="jumin API key")
    args = arguments.parse_args(argv)
    configure_logging(args)
    server = make_server(Center(args.jpki_url, args.municipality_url, args.api_key), args.host, args.port)
    serve_until_interrupted(
        server, logger, f"証明書交付センター simulator on {server.url} (JUMIN_KONBINI_CENTER_URL={server.url})"
    )


if __name__ == "__main__":
    main()
