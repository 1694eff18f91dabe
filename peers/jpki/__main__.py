"""``python -m peers.jpki [--host 127.0.0.1] [--port 8768] [--key-dir DIR]``: serve the simulated
認証局 until interrupted.  With ``--key-dir`` the CA certificate is written there as
``jpki_ca.pem`` (jumin's trust anchor) and the CRL as ``jpki_crl.pem`` (refreshed on start only;
set ``JUMIN_JPKI_CRL_URL=http://HOST:PORT/crl.pem`` for the live list)."""

from __future__ import annotations

import logging
from pathlib import Path

from peers.cli import configure_logging, parser, serve_until_interrupted
from peers.jpki.server import make_server

logger = logging.getLogger("peers.jpki")


def main(argv: list[str] | None = None) -> None:
    arguments = parser("python -m peers.jpki", "J-LIS 認証局 (個人番号カード) simulator", 8768, key_dir=False)
    arguments.add_argument("--key-dir", type=Path, help="write jpki_ca.pem and jpki_crl.pem into this directory")
    args = arguments.parse_args(argv)
    configure_logging(args)
    server = make_server(args.host, args.port)
    authority = server.repository.authority
    if args.key_dir is not None:
        args.key_dir.mkdir(parents=True, exist_ok=True)
        (args.key_dir / "jpki_ca.pem").write_bytes(authority.pem)
        (args.key_dir / "jpki_crl.pem").write_bytes(authority.crl_pem())
    serve_until_interrupted(
        server, logger, f"JPKI 認証局 simulator on {server.url} (JUMIN_JPKI_CRL_URL={server.url}/crl.pem)"
    )


if __name__ == "__main__":
    main()
