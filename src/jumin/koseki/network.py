"""The network to the 本籍地 (their 戸籍 and 戸籍の附票 systems): one signed peer, ``JUMIN_KOSEKI_URL``
(in tests and the demo ``python -m peers.koseki``; its public key ``koseki_ed25519.pub`` in the key
directory).  docs/koseki.md."""

from __future__ import annotations

from django.conf import settings

from jumin.linkage import signing
from jumin.linkage.client import DEFAULT_TIMEOUT, PeerClient, setting

PEER_PUBLIC = "koseki_ed25519.pub"
FUHYO_PATH = "/fuhyo-notices"


def our_code() -> str:
    return str(settings.JUMIN_MUNICIPALITY.get("lg_code", ""))


def our_name() -> str:
    return str(settings.JUMIN_MUNICIPALITY.get("name", ""))


def koseki_client() -> PeerClient | None:
    """The signed client of the 本籍地 network, or None when ``JUMIN_KOSEKI_URL`` is not set."""
    url = setting("JUMIN_KOSEKI_URL", "")
    if not url:
        return None
    return PeerClient(
        url,
        float(setting("JUMIN_KOSEKI_TIMEOUT", str(DEFAULT_TIMEOUT))),
        path=FUHYO_PATH,
        peer_file=PEER_PUBLIC,
        peer_label="本籍地（戸籍・附票）",
        url_setting="JUMIN_KOSEKI_URL",
    )


__all__ = ["FUHYO_PATH", "PEER_PUBLIC", "koseki_client", "our_code", "our_name", "signing"]
