"""Demo 個人番号カード (``jumin demo-cards``, issue 17 "Demo"): the simulated 認証局
(``python -m peers.jpki``, the demo's card reader) issues a card to a few residents of the demo
register, so a clerk trying ``make run`` finds cards "on the reader" that pass the 本人確認.

The card face is what the check compares (:func:`jumin.jukinet.identity_check.compare`): the
氏名, 住所, 生年月日 and 性別 of the person's CURRENT 本人確認情報 (``IdentityRecord``) and the
個人番号 it was built from.  A demo register seeded with ``seed-city`` has no 本人確認情報
yet: the command then runs the go-live load (:func:`jumin.jukinet.initial_load.initial_load`,
as ``jumin jukinet initial-load`` does) once, the way the system builds them.

Cards go to the simulator over HTTP (``POST /cards``; the 個人番号 travels in the body only).
A person whose 氏名 is already on the reader (``GET /cards``) gets no second card, so running
it again changes nothing.  Each read of the sealed 個人番号 is logged (one access-log row,
purpose デモ用カード発行); the number is never printed, logged or put in a URL."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any, cast
from urllib.parse import urlsplit

from jumin.audit.services import record_access
from jumin.core.errors import DomainError
from jumin.jukinet.identity_check import SEX_LABELS
from jumin.jukinet.initial_load import initial_load
from jumin.jukinet.models import IdentityRecord, RecordStatus
from jumin.registry.numbers import open_individual_number

PURPOSE = "デモ用カード発行（個人番号カードの模擬）"
TIMEOUT = 10.0
MAX_ANSWER = 1 << 20


@dataclass(frozen=True)
class DemoCards:
    issued: list[str]  # 氏名 of the persons who got a card now
    already: list[str]  # 氏名 of the persons whose card was already on the reader
    loaded: int  # 本人確認情報 built by the go-live load (0: there were some already)


class _Simulator:
    def __init__(self, url: str) -> None:
        if urlsplit(url).scheme not in ("http", "https"):
            raise DomainError("demo_cards.url", "認証局シミュレータの URL が正しくありません。")
        self.url = url.rstrip("/")
        self.opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))

    def call(self, path: str, body: dict[str, str] | None = None) -> dict[str, Any]:
        data = None if body is None else json.dumps(body, ensure_ascii=False).encode()
        request = urllib.request.Request(  # noqa: S310  # nosec B310: http(s) only, checked above
            self.url + path, data=data, headers={"Content-Type": "application/json"}
        )
        try:
            with self.opener.open(request, timeout=TIMEOUT) as response:
                answer = json.loads(response.read(MAX_ANSWER))
        except urllib.error.HTTPError as error:
            error.close()
            raise DomainError(
                "demo_cards.refused", f"認証局シミュレータが要求を受け付けませんでした（HTTP {error.code}）。"
            ) from None
        except (OSError, ValueError, urllib.error.URLError):
            raise DomainError(
                "demo_cards.unreachable",
                f"認証局シミュレータ（{self.url}）に接続できません。python -m peers.jpki を起動してください。",
            ) from None
        if not isinstance(answer, dict):
            raise DomainError("demo_cards.unreachable", "認証局シミュレータの応答の形式が正しくありません。")
        return cast(dict[str, Any], answer)

    def names_on_reader(self) -> set[str]:
        listed = self.call("/cards").get("cards")
        return {str(c.get("name", "")) for c in listed if isinstance(c, dict)} if isinstance(listed, list) else set()


def demo_records(count: int) -> list[IdentityRecord]:
    """The first ``count`` current, not removed 本人確認情報 with a 個人番号 (by 宛名番号)."""
    return list(
        IdentityRecord.objects.filter(superseded_at__isnull=True, record_status=RecordStatus.CURRENT)
        .exclude(individual_number_ct="")
        .exclude(sex="")
        .order_by("atena_no", "-update_seq")[:count]
    )


def card_face(record: IdentityRecord) -> dict[str, str]:
    """The 券面事項 of a card that matches ``record`` (the sealed 個人番号 opened)."""
    return {
        "name": record.name,
        "address": record.address,
        "birth": record.birth_text,
        "sex": SEX_LABELS.get(record.sex, record.sex),
        "individual_number": open_individual_number(record.individual_number_ct, record.atena_no),
    }


def issue_demo_cards(url: str, *, count: int = 3) -> DemoCards:
    """Issue cards for ``count`` demo residents at the simulator ``url`` (see the module docstring)."""
    simulator = _Simulator(url)
    on_reader = simulator.names_on_reader()  # fails early, before any load, when it is not running
    loaded = 0
    if not IdentityRecord.objects.exists():
        loaded = initial_load().created
    records = demo_records(count)
    issued: list[str] = []
    to_issue = [r for r in records if r.name not in on_reader]
    already = [r.name for r in records if r.name in on_reader]
    if to_issue:
        record_access(purpose=PURPOSE, persons=[r.atena_no for r in to_issue], action="provide")
    for record in to_issue:
        answer = simulator.call("/cards", card_face(record))
        if not isinstance(answer.get("serial"), str):
            raise DomainError("demo_cards.refused", "認証局シミュレータがカードを発行しませんでした。")
        issued.append(record.name)
    return DemoCards(issued=issued, already=already, loaded=loaded)
