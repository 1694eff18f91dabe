"""``python -m peers.eapplication [--port 8771] [--jpki-port 8768] [--key-dir DIR]``: serve the
simulated 電子申請機能 / 連携サーバ until interrupted, with the simulated 認証局 (``peers.jpki``)
of the residents' cards on ``--jpki-port`` (its ``jpki_ca.pem`` / ``jpki_crl.pem`` written into
the key directory, as ``python -m peers.jpki`` does)."""

from __future__ import annotations

import logging

from peers import jpki
from peers.cli import configure_logging, parser, serve_until_interrupted
from peers.eapplication.server import make_demo_server
from peers.serving import serve

logger = logging.getLogger("peers.eapplication")


def main(argv: list[str] | None = None) -> None:
    arguments = parser("python -m peers.eapplication", "電子申請機能・連携サーバ simulator", 8771)
    arguments.add_argument("--jpki-port", type=int, default=8768, help="port of the 認証局 simulator (default 8768)")
    args = arguments.parse_args(argv)
    configure_logging(args)
    cards = jpki.CardRepository()
    authority_server = jpki.make_server(args.host, args.jpki_port, cards)
    server = make_demo_server(args.host, args.port, args.key_dir, cards)
    (args.key_dir / "jpki_ca.pem").write_bytes(cards.authority.pem)
    (args.key_dir / "jpki_crl.pem").write_bytes(cards.authority.crl_pem())
    serve(authority_server, "jpki-simulator")
    try:
        serve_until_interrupted(
            server,
            logger,
            f"電子申請 simulator on {server.url} (JUMIN_EAPPLICATION_URL); 認証局 on {authority_server.url}",
        )
    finally:
        authority_server.shutdown()
        authority_server.server_close()


if __name__ == "__main__":
    main()
