"""Port to the national 個人番号 generation: J-LIS 個人番号生成 via 住基ネット (番号法 第8条;
standard spec 4.4, 7.1.2.1 生成要求・変更要求).

A 個人番号 is never made up here: the municipality sends the person's 住民票コード and J-LIS
answers with the number to designate (指定) — the first time by 生成, later by 変更 when the
number has leaked (番号法 第7条第2項, on 請求 or ex officio).

:class:`HttpNumberService` is the HTTP client (standard library ``urllib``; the project has no
HTTP client dependency).  The 住民票コード travels in the JSON body of a POST, never in the
URL; neither number ever appears in a log line or an exception text — every failure becomes a
:class:`DomainError` with a stable code and a Japanese message:

``number_service.unconfigured``  ``JUMIN_NUMBER_SERVICE_URL`` is empty
``number_service.unavailable``   connection refused, timeout, 5xx
``number_service.unknown_code``  J-LIS has no number for the 住民票コード (a 変更 before any 生成)
``number_service.rejected``      any other refusal (4xx)
``number_service.bad_response``  the answer is not a valid 個人番号

The protocol is the one of the simulator ``peers/jlis`` (docs/operations.md); the real
住基ネット telegram layout is not public.  Environment proxies are not used: the service is
inside the closed network.
"""

from __future__ import annotations

import http.client
import json
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any, Protocol
from urllib.parse import urlsplit

from django.conf import settings

from jumin.core.check_digits import validate_individual_number
from jumin.core.errors import DomainError

DEFAULT_TIMEOUT = 10.0  # seconds; JUMIN_NUMBER_SERVICE_TIMEOUT overrides
MAX_ANSWER = 4096


class NumberService(Protocol):
    def generate(self, resident_code: str) -> str:
        """生成要求: the 個人番号 of the person with this 住民票コード."""
        ...

    def change(self, resident_code: str, *, request_id: str) -> str:
        """変更要求: a new 個人番号; the same ``request_id`` gives the same answer."""
        ...


def _unavailable() -> DomainError:
    return DomainError(
        "number_service.unavailable",
        "機構（個人番号生成）に接続できません。時間をおいてやり直すか、システム管理者に連絡してください。",
    )


def _bad_response() -> DomainError:
    return DomainError(
        "number_service.bad_response",
        "機構（個人番号生成）から正しい個人番号が返りませんでした。システム管理者に連絡してください。",
    )


def _refusal(status: int, error: str) -> DomainError:
    if status >= 500:
        return _unavailable()
    if error == "unknown_resident_code":
        return DomainError(
            "number_service.unknown_code",
            "機構にこの方の個人番号がありません。変更ではなく職権記載（生成要求）として処理してください。",
        )
    return DomainError("number_service.rejected", "機構（個人番号生成）が要求を受け付けませんでした。")


@dataclass(frozen=True)
class HttpNumberService:
    base_url: str
    timeout: float = DEFAULT_TIMEOUT

    def __post_init__(self) -> None:
        if urlsplit(self.base_url).scheme not in ("http", "https"):
            raise DomainError(
                "number_service.unconfigured",
                "個人番号の生成要求先（JUMIN_NUMBER_SERVICE_URL）の形式が正しくありません。",
            )

    def generate(self, resident_code: str) -> str:
        return self._post("/individual-numbers/generate", {"resident_code": resident_code})

    def change(self, resident_code: str, *, request_id: str) -> str:
        return self._post("/individual-numbers/change", {"resident_code": resident_code, "request_id": request_id})

    def _post(self, path: str, body: dict[str, Any]) -> str:
        request = urllib.request.Request(  # noqa: S310 - the scheme is checked in __post_init__
            self.base_url.rstrip("/") + path,
            data=json.dumps(body).encode(),
            headers={"Content-Type": "application/json", "Accept": "application/json"},
            method="POST",
        )
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        try:
            with opener.open(request, timeout=self.timeout) as response:
                raw = response.read(MAX_ANSWER)
        except urllib.error.HTTPError as error:
            status, detail = error.code, _error_code(error)
            error.close()
            raise _refusal(status, detail) from None
        except (OSError, ValueError, http.client.HTTPException):  # refused, reset, timeout, garbled answer
            raise _unavailable() from None
        try:
            number = json.loads(raw).get("individual_number")
            return validate_individual_number(number)
        except (ValueError, AttributeError, TypeError):
            raise _bad_response() from None


def _error_code(error: urllib.error.HTTPError) -> str:
    try:
        payload = json.loads(error.read(MAX_ANSWER))
    except (OSError, ValueError):
        return ""
    return str(payload.get("error") or "") if isinstance(payload, dict) else ""


def number_service() -> NumberService:
    """The configured service (``JUMIN_NUMBER_SERVICE_URL``)."""
    url = str(getattr(settings, "JUMIN_NUMBER_SERVICE_URL", "") or "").strip()
    if not url:
        raise DomainError(
            "number_service.unconfigured",
            "個人番号の生成要求先（JUMIN_NUMBER_SERVICE_URL）が設定されていません。システム管理者に連絡してください。",
        )
    return HttpNumberService(url, float(getattr(settings, "JUMIN_NUMBER_SERVICE_TIMEOUT", DEFAULT_TIMEOUT)))
