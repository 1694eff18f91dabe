"""Simulator of the J-LIS 認証局 of the 個人番号カード (公的個人認証サービス): a CA with real
ECDSA P-256 keys that issues cards (署名用電子証明書-like X.509 certificate + CA-signed 券面事項),
revokes them (X.509 CRL) and lets a card answer a challenge as a card reader would.

Run ``python -m peers.jpki --port 8768 --key-dir $JUMIN_VAR_DIR/jukinet`` for the demo (it writes
``jpki_ca.pem`` into that directory); tests use :class:`CertificateAuthority` directly or start
the HTTP service with :func:`running`.  See docs/jukinet.md, 「本人確認」.
"""

from peers.jpki.authority import Card, CertificateAuthority, PinError
from peers.jpki.server import CardRepository, RunningSimulator, make_server, running

__all__ = ["Card", "CardRepository", "CertificateAuthority", "PinError", "RunningSimulator", "make_server", "running"]
