"""The one signed peer client and retry policy of the linked systems (住基ネット peers, the
個人番号カード管理システム).

:class:`PeerClient` exchanges signed JSON with one peer: every request is signed with our
Ed25519 key and every answer must carry a valid signature of the peer's key
(``jumin.linkage.signing``).  A failure is a :class:`DeliveryError` whose ``code`` is stable and
holds no personal data.  :func:`backoff` is the retry policy of every queue that delivers to a
peer: ``JUMIN_JUKINET_BACKOFF_SECONDS`` × 2^(attempts−1), at most ``JUMIN_JUKINET_BACKOFF_MAX``.
"""

from __future__ import annotations

import http.client
import json
import logging
import os
import urllib.error
import urllib.request
from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings

from jumin.core.errors import DomainError
from jumin.linkage import sealing, signing

logger = logging.getLogger(__name__)

DEFAULT_PATH = "/identity-updates"  # the 都道府県サーバ, the default peer
MAX_ANSWER = 16_384
DEFAULT_TIMEOUT = 10.0
DEFAULT_BACKOFF = 30.0
DEFAULT_BACKOFF_MAX = 3600.0


def setting(name: str, default: str) -> str:
    value = getattr(settings, name, None)
    if value is None:
        value = os.environ.get(name, default)
    return str(value).strip()


def backoff(attempts: int) -> timedelta:
    base = float(setting("JUMIN_JUKINET_BACKOFF_SECONDS", str(DEFAULT_BACKOFF)))
    ceiling = float(setting("JUMIN_JUKINET_BACKOFF_MAX", str(DEFAULT_BACKOFF_MAX)))
    return timedelta(seconds=min(ceiling, base * 2 ** max(0, min(attempts - 1, 30))))


class DeliveryError(Exception):
    """A telegram was not accepted; ``code`` is stable and holds no personal data."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


@dataclass(frozen=True)
class PeerClient:
    """Signed JSON exchanges with one 住基ネット peer (the answer's signature is verified)."""

    base_url: str
    timeout: float = DEFAULT_TIMEOUT
    path: str = DEFAULT_PATH
    peer_file: str = signing.PEER_PUBLIC
    peer_label: str = "都道府県サーバ"
    url_setting: str = "JUMIN_PREFECTURE_URL"
    max_answer: int = MAX_ANSWER  # bytes read of an answer (a longer one fails its signature check)
    seal_file: str = ""  # the peer's X25519 key: requests and answers sealed (jumin.linkage.sealing)

    def __post_init__(self) -> None:
        if urlsplit(self.base_url).scheme not in ("http", "https"):
            raise DomainError(
                "jukinet.unconfigured", f"{self.peer_label}の接続先（{self.url_setting}）の形式が正しくありません。"
            )

    def exchange(self, method: str, path: str, raw: bytes) -> tuple[int, dict[str, Any]]:
        """One signed request; (status, JSON answer) once the answer's signature checks out.
        With ``seal_file`` the body is sealed to the peer and the answer must open with our key."""
        content_type = "application/json"
        if self.seal_file and raw:
            raw = sealing.seal(
                raw, sealing.peer_key(self.seal_file, self.peer_label), sealing.request_context(method, path)
            )
            content_type = sealing.CONTENT_TYPE
        signed = signing.sign_request(signing.own_key(), method, path, raw)
        peer = signing.peer_key(self.peer_file, self.peer_label)
        request = urllib.request.Request(  # noqa: S310 - the scheme is checked in __post_init__
            self.base_url.rstrip("/") + path,
            data=raw if method != "GET" else None,
            headers={"Content-Type": content_type, **signed.as_dict()},
            method=method,
        )
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        try:
            with opener.open(request, timeout=self.timeout) as response:
                status, headers, answer = response.status, dict(response.headers), response.read(self.max_answer)
        except urllib.error.HTTPError as error:
            status, headers, answer = error.code, dict(error.headers), error.read(self.max_answer)
            error.close()
        except (OSError, ValueError, http.client.HTTPException):  # refused, reset, timeout
            raise DeliveryError("unavailable") from None
        lowered = {k.lower(): v for k, v in headers.items()}
        try:
            signing.verify_response(peer, status, lowered, signed.signature, answer)
        except signing.BadSignatureError as exc:
            raise DeliveryError(f"peer_{exc}") from None
        if self.seal_file:
            try:
                answer = sealing.open_sealed(
                    answer, sealing.own_key(), sealing.answer_context(status, signed.signature)
                )
            except sealing.SealError as exc:  # logged by its code only: nothing of the content
                logger.warning(
                    "%s: the answer to %s %s did not open (%s)", self.peer_label, method, urlsplit(path).path, exc.code
                )
                raise DeliveryError(f"peer_{exc.code}") from None
        try:
            payload = json.loads(answer)
        except ValueError:
            raise DeliveryError("bad_answer") from None
        if not isinstance(payload, dict):
            raise DeliveryError("bad_answer")
        return status, payload

    def send(self, body: dict[str, Any], path: str = "") -> str:
        """POST one telegram; the peer's verified answer (``accepted`` / ``already_received``)."""
        raw = json.dumps(body, ensure_ascii=False, sort_keys=True).encode()
        status, payload = self.exchange("POST", path or self.path, raw)
        if status == 200 and payload.get("result") in ("accepted", "already_received"):
            return str(payload["result"])
        error_code = str(payload.get("error") or f"http_{status}")[:60]
        raise DeliveryError(f"rejected:{error_code}")
