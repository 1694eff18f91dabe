"""本人確認情報照会 to the 全国サーバ (J-LIS) and the 都道府県サーバ (assessment system 2, function 5
「機構又は都道府県への情報照会」; spec 7.1.1.1; docs/jukinet.md 「本人確認情報照会」).

A reader of personal data: :func:`query_server` needs ``view_resident``; the criteria rules are
those of 本人確認情報検索 (:mod:`jumin.search.criteria`, screen ``identity``: 氏名＋住所 or
氏名＋生年月日 with 性別 as a refinement, or a 住民票コード, or a 個人番号 — a number criterion
needs the capability that shows it).  One signed ``POST /identity-queries`` to the chosen
server (``JUMIN_NATIONAL_URL`` / ``JUMIN_PREFECTURE_URL``); the answer's signature is verified
with that server's key (``national_ed25519.pub`` / ``prefecture_ed25519.pub``).  More than
``JUMIN_JUKINET_QUERY_MAX_RESULTS`` (default: ``JUMIN_SEARCH_MAX_RESULTS``) matches are refused
(``search.too_many``) by the server, and again here if a server sends more.

Nothing is stored but one access-log row per query — refused, failed and answered alike — with
the server, the key kind (``resident_code`` / ``individual_number`` / ``four``), the masked
criteria, the outcome code and the result count; its persons are the 宛名番号 of our own
residents among the results.  Numbers are masked unless the operator may see them; one of our
residents under a 照会抑止 the operator may not pass is shown blank.  No 住民票コード or
個人番号 in logs, errors or URLs.
"""

from __future__ import annotations

import json
import logging
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from jumin.accounts.principal import Principal
from jumin.audit.services import record_access
from jumin.core.check_digits import is_valid_individual_number
from jumin.core.errors import DomainError
from jumin.jukinet.identity_search import MASK_CODE, MASK_NUMBER, SEX_LABELS
from jumin.jukinet.models import IdentityRecord, RecordStatus
from jumin.linkage import signing
from jumin.linkage.client import DEFAULT_TIMEOUT, DeliveryError, PeerClient
from jumin.linkage.client import setting as _setting
from jumin.protection.inquiry import decisions as inquiry_decisions
from jumin.search import criteria as rules
from jumin.search.matching import birth_date
from jumin.search.queries import max_results

logger = logging.getLogger(__name__)

VIEW = "accounts.view_resident"
PURPOSE = "本人確認情報照会（全国サーバ・都道府県サーバ）"
SCREEN = "identity"
PATH = "/identity-queries"
CRITERIA = ("name", "address", "birth", "sex", "resident_code", "individual_number")
MAX_ANSWER = 4 << 20


@dataclass(frozen=True)
class Server:
    code: str
    label: str
    url_setting: str
    timeout_setting: str
    public_file: str


SERVERS: dict[str, Server] = {
    "national": Server(
        "national", "全国サーバ", "JUMIN_NATIONAL_URL", "JUMIN_NATIONAL_TIMEOUT", "national_ed25519.pub"
    ),
    "prefecture": Server(
        "prefecture", "都道府県サーバ", "JUMIN_PREFECTURE_URL", "JUMIN_PREFECTURE_TIMEOUT", signing.PEER_PUBLIC
    ),
}


@dataclass(frozen=True)
class RemoteRecord:
    name: str
    furigana: str
    birth_text: str
    sex: str
    address: str
    municipality_code: str
    resident_code: str
    individual_number: str
    record_status: str
    recorded_at: datetime | None
    atena_no: str = ""  # one of our residents
    inquiry_blocked: bool = False


@dataclass(frozen=True)
class QueryResult:
    server: Server
    key: str
    records: list[RemoteRecord]

    @property
    def count(self) -> int:
        return len(self.records)


def query_limit() -> int:
    return int(_setting("JUMIN_JUKINET_QUERY_MAX_RESULTS", str(max_results())))


def server_of(code: str) -> Server:
    server = SERVERS.get(code)
    if server is None:
        raise DomainError("jukinet.query_bad_server", "照会先（全国サーバ・都道府県サーバ）を選んでください。")
    return server


def _client(server: Server) -> PeerClient:
    url = _setting(server.url_setting, "")
    if not url:
        raise DomainError(
            "jukinet.unconfigured", f"{server.label}の接続先（{server.url_setting}）が設定されていません。"
        )
    return PeerClient(
        url,
        float(_setting(server.timeout_setting, str(DEFAULT_TIMEOUT))),
        path=PATH,
        peer_file=server.public_file,
        peer_label=server.label,
        url_setting=server.url_setting,
        max_answer=MAX_ANSWER,
    )


def _clean(raw: Mapping[str, Any], principal: Principal) -> dict[str, Any]:
    criteria = rules.clean(raw)
    if "sex" in criteria:
        criteria["sex"] = {"男": "1", "女": "2"}.get(criteria["sex"], criteria["sex"])
        if criteria["sex"] not in SEX_LABELS:
            raise DomainError("search.bad_sex", "性別は男・女のどちらかを指定してください。")
    rules.check(SCREEN, criteria, principal.sees)
    return criteria


def _digits(text: str) -> str:
    return "".join(ch for ch in text if ch.isdigit())


def _ask(criteria: Mapping[str, Any], limit: int) -> dict[str, Any]:
    """The request body: one key kind, as the server matches it."""
    ask: dict[str, Any] = {"query_id": secrets.token_hex(12), "limit": limit}
    if "individual_number" in criteria:
        number = _digits(criteria["individual_number"])
        if not is_valid_individual_number(number):
            raise DomainError("search.bad_number", "個人番号は12桁の数字で、検査用数字が正しいものを入力してください。")
        return {**ask, "key": "individual_number", "individual_number": number}
    if "resident_code" in criteria:
        code = _digits(criteria["resident_code"])
        if len(code) != 11:
            raise DomainError("search.bad_code", "住民票コードは11桁の数字で入力してください。")
        return {**ask, "key": "resident_code", "resident_code": code}
    ask.update(key="four", name=criteria["name"])
    if "birth" in criteria:
        ask["birth_on"] = birth_date(criteria["birth"]).isoformat()
    for item in ("address", "sex"):
        if item in criteria:
            ask[item] = criteria[item]
    return ask


def _exchange(server: Server, ask: dict[str, Any]) -> dict[str, Any]:
    client = _client(server)
    raw = json.dumps(ask, ensure_ascii=False, sort_keys=True).encode()
    try:
        status, reply = client.exchange("POST", PATH, raw)
    except DeliveryError as error:
        logger.warning("jukinet query: %s %s", server.code, error.code)
        if error.code == "unavailable":
            raise DomainError(
                "jukinet.query_unavailable",
                f"{server.label}に接続できません。時間をおいてやり直してください（照会結果はありません）。",
            ) from None
        raise DomainError(
            "jukinet.query_bad_answer",
            f"{server.label}の回答を確認できません（署名・形式の誤り）。結果は表示していません。",
        ) from None
    code = str(reply.get("error") or "")[:40]
    if status == 409 and code == "too_many":
        raise DomainError(
            "search.too_many",
            f"該当が{ask['limit']}件を超えました。条件を追加して絞り込んでください（照会結果は表示していません）。",
        )
    if status == 503:
        logger.warning("jukinet query: %s maintenance", server.code)
        raise DomainError(
            "jukinet.query_unavailable",
            f"{server.label}が停止中です。時間をおいてやり直してください（照会結果はありません）。",
        )
    if status != 200:
        logger.warning("jukinet query: %s answered %s (%s)", server.code, status, code)
        raise DomainError("jukinet.query_refused", f"{server.label}が照会を受け付けませんでした（{code or status}）。")
    records = reply.get("records")
    if reply.get("query_id") != ask["query_id"] or not isinstance(records, list):
        raise DomainError(
            "jukinet.query_bad_answer", f"{server.label}の回答が照会と対応していません。結果は表示していません。"
        )
    if len(records) > ask["limit"]:
        raise DomainError(
            "search.too_many",
            f"該当が{ask['limit']}件を超えました。条件を追加して絞り込んでください（照会結果は表示していません）。",
        )
    return reply


def _recorded_at(text: Any) -> datetime | None:
    try:
        return datetime.fromisoformat(str(text))
    except ValueError:
        return None


def _record(item: Any, *, codes: bool, numbers: bool) -> RemoteRecord:
    if not isinstance(item, dict):
        raise DomainError("jukinet.query_bad_answer", "照会の回答の形式が正しくありません。結果は表示していません。")
    number = str(item.get("individual_number") or "")
    status = str(item.get("record_status") or "")
    return RemoteRecord(
        name=str(item.get("name") or ""),
        furigana=str(item.get("furigana") or ""),
        birth_text=str(item.get("birth_text") or ""),
        sex=SEX_LABELS.get(str(item.get("sex")), ""),
        address=str(item.get("address") or ""),
        municipality_code=str(item.get("municipality_code") or ""),
        resident_code=str(item.get("resident_code") or "") if codes else MASK_CODE,
        individual_number=(number if numbers else MASK_NUMBER) if number else "",
        record_status=RecordStatus(status).label if status in RecordStatus.values else status,
        recorded_at=_recorded_at(item.get("recorded_at")),
    )


def _ours(items: list[dict[str, Any]]) -> dict[str, str]:
    """住民票コード → 宛名番号 of our residents among the results (the access log's persons)."""
    wanted = {str(i.get("resident_code") or "") for i in items} - {""}
    rows = IdentityRecord.objects.filter(resident_code__in=wanted, superseded_at__isnull=True)
    return dict(rows.values_list("resident_code", "atena_no"))


def _blank(record: RemoteRecord) -> RemoteRecord:
    return replace(
        record,
        name="",
        furigana="",
        birth_text="",
        sex="",
        address="",
        resident_code="",
        individual_number="",
        inquiry_blocked=True,
    )


def _records(principal: Principal, items: list[Any]) -> list[RemoteRecord]:
    codes, numbers = principal.sees("resident_code"), principal.sees("individual_number")
    records = [_record(item, codes=codes, numbers=numbers) for item in items]
    ours = _ours(items)
    atena = [ours.get(str(item.get("resident_code") or ""), "") for item in items]
    decided = inquiry_decisions(principal, [a for a in atena if a], purpose="protection.inquiry")
    stopped = {n for n, d in decided.items() if not d.allowed}
    return [
        _blank(replace(r, atena_no=a)) if a in stopped else replace(r, atena_no=a)
        for r, a in zip(records, atena, strict=True)
    ]


def query_server(principal: Principal, server_code: str, raw: Mapping[str, Any]) -> QueryResult:
    """One 本人確認情報照会 (see the module docstring)."""
    if not principal.has_perm(VIEW):
        raise DomainError("auth.forbidden", "本人確認情報を照会する権限がありません。")
    logged: dict[str, Any] = {"_server": server_code}
    try:
        server = server_of(server_code)
        criteria = _clean(raw, principal)
        logged.update(rules.masked(criteria))
        ask = _ask(criteria, query_limit())
        logged["_key"] = ask["key"]
        records = _records(principal, _exchange(server, ask)["records"])
    except DomainError as error:
        record_access(purpose=PURPOSE, persons=[], action="search", criteria={**logged, "_outcome": error.code})
        raise
    record_access(
        purpose=PURPOSE,
        persons=[r.atena_no for r in records if r.atena_no],
        action="search",
        criteria={**logged, "_outcome": "ok"},
        result_count=len(records),
        individual_number_shown=any(r.individual_number not in ("", MASK_NUMBER) for r in records),
        resident_code_shown=any(r.resident_code not in ("", MASK_CODE) for r in records),
    )
    return QueryResult(server, ask["key"], records)


__all__ = ["SERVERS", "QueryResult", "RemoteRecord", "query_limit", "query_server"]
