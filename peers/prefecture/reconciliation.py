"""The prefecture side of 整合性確認 (7.1.1.2; assessment system 2, function 6) in the simulator.

The municipality's CS sends 整合性確認用本人確認情報 — one digest per current record, sorted by
住民票コード — in numbered parts; the prefecture compares them with what it holds and answers
the result: the 住民票コード only at CS, only at the prefecture, or whose content differs, and,
on request, its own items of chosen records (the 個人番号 as a keyed hash, never in clear).

Digest of one record (docs: /tmp/helpers/doc-reconcile.md → docs/jukinet.md)::

    SHA-256( JSON array of the values of ITEMS in sorted item-name order, no spaces, UTF-8 )

with ``individual_number`` replaced by HMAC-SHA256(reconciliation key, number) in hex ("" when
there is none).  The reconciliation key is a secret shared by CS and the prefecture
(``reconciliation.key`` in the key directory).  This module deliberately does not import jumin.

The prefecture's copy can be loaded fast from a file (:func:`load_copy`): one telegram body per
line (NDJSON, as ``POST /identity-updates`` carries it) — the out-of-band initial copy of a
municipality that went live with ``jumin jukinet initial-load``.  Only the digests and the
file offsets are kept in memory; a record is read back from the file when asked for.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

# The items of 本人確認情報 compared (the telegram body of docs/jukinet.md, 個人番号 included).
ITEMS: tuple[str, ...] = (
    "resident_code",
    "name",
    "name_gaiji_count",
    "furigana",
    "seion_kana",
    "birth_text",
    "sex",
    "municipality_code",
    "aza_code",
    "postcode",
    "address",
    "address_gaiji_count",
    "individual_number",
    "became_resident_text",
    "address_set_text",
    "notified_on",
    "previous_municipality_code",
    "previous_address",
    "previous_address_gaiji_count",
    "relationship",
    "reason",
    "effective_text",
    "reason_detail",
    "former_resident_code",
    "resident_code_used_on",
    "request_no",
    "operator_id",
    "terminal_id",
    "update_seq",
    "update_prohibited",
    "planned",
    "exclusive",
    "has_gaiji",
    "record_status",
    "recorded_at",
    "former_surname",
    "former_surname_gaiji_count",
    "former_surname_furigana",
    "former_surname_gaiji_change_no",
    "nationality_kind",
    "alias",
    "foreign_resident_since_text",
)
RECONCILIATION = "/reconciliation/"
ONLY_AT_CS = "only_at_cs"
ONLY_AT_PREFECTURE = "only_at_prefecture"
DIFFERS = "differs"


def number_hash(key: bytes, number: str | None) -> str:
    return hmac.new(key, number.encode(), hashlib.sha256).hexdigest() if number else ""


def comparable(body: dict[str, Any], key: bytes) -> dict[str, Any]:
    """The items of a telegram body as compared (the 個人番号 as its keyed hash)."""
    items = {item: body.get(item) for item in ITEMS}
    items["individual_number"] = number_hash(key, body.get("individual_number"))
    return items


ORDER = tuple(sorted(ITEMS))  # the canonical order: item names sorted


def digest(body: dict[str, Any], key: bytes) -> str:
    items = comparable(body, key)
    canonical = json.dumps([items[item] for item in ORDER], ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


@dataclass
class Copy:
    """The prefecture's copy loaded from a file: digest and line offset per 住民票コード."""

    path: Path
    digests: dict[str, str] = field(default_factory=dict)
    offsets: dict[str, int] = field(default_factory=dict)
    last_seq: int = 0

    def body(self, code: str) -> dict[str, Any] | None:
        offset = self.offsets.get(code)
        if offset is None:
            return None
        with self.path.open("rb") as handle:
            handle.seek(offset)
            loaded: dict[str, Any] = json.loads(handle.readline())
            return loaded


def load_copy(path: Path, key: bytes) -> Copy:
    """Read an NDJSON copy (one telegram body per line); the highest ``update_seq`` becomes the
    last 更新順番号 received from that municipality."""
    copy = Copy(path)
    with path.open("rb") as handle:
        offset = 0
        for line in handle:
            if line.strip():
                body = json.loads(line)
                code = str(body["resident_code"])
                copy.digests[code] = digest(body, key)
                copy.offsets[code] = offset
                copy.last_seq = max(copy.last_seq, int(body.get("update_seq") or 0))
            offset += len(line)
    return copy


class ReconciliationError(Exception):
    """A refused reconciliation request; the text is a stable code."""


@dataclass
class Session:
    """One 整合性確認: the parts received so far and the differences found in them."""

    id: str
    parts: int = 0
    records: int = 0
    last_code: str = ""
    hash: Any = field(default_factory=hashlib.sha256)
    seen: set[str] = field(default_factory=set)
    differences: list[tuple[str, str]] = field(default_factory=list)
    finished: bool = False


class Reconciler:
    """The sessions of one prefecture book; ``lookup(code)`` gives the held record's digest and
    ``codes()`` every 住民票コード held."""

    def __init__(self) -> None:
        self.sessions: dict[str, Session] = {}
        self.lock = threading.Lock()

    def start(self) -> Session:
        session = Session(secrets.token_hex(8))
        with self.lock:
            self.sessions = {k: v for k, v in self.sessions.items() if not v.finished}  # keep one at a time
            self.sessions[session.id] = session
        return session

    def answer(
        self,
        path: str,
        raw: bytes,
        lookup: Callable[[str], str | None],
        codes: Callable[[], Iterable[str]],
        items: Callable[[str], dict[str, Any] | None],
    ) -> tuple[int, dict[str, Any]]:
        """(HTTP status, answer) of one authenticated request under ``/reconciliation/``:

        ``start`` → ``{"session"}``; ``<id>/part/<n>`` NDJSON ``{"c": 住民票コード, "d": digest}``
        in ascending 住民票コード order → ``{"records"}``; ``<id>/finish`` ``{"parts", "records",
        "sha256"}`` (SHA-256 of all the parts' bytes) → the counts per kind; ``<id>/differences``
        ``{"after", "limit"}`` → ``{"differences": [[code, kind], …], "next"}``;
        ``<id>/records`` ``{"codes"}`` → ``{"records": {code: items | null}}``.
        Refusals: 409 ``unknown_session``/``gap``/``order``/``incomplete``/``finished``/
        ``not_finished``, 400 ``bad_request``, 404 ``not_found``."""
        steps = path[len(RECONCILIATION) :].split("/")
        try:
            if steps == ["start"]:
                return 200, {"session": self.start().id}
            if len(steps) == 3 and steps[1] == "part" and steps[2].isdigit():
                return 200, {"records": self.part(self.get(steps[0]), int(steps[2]), raw, lookup)}
            if len(steps) != 2 or steps[1] not in ("finish", "differences", "records"):
                return 404, {"error": "not_found"}
            session, request = self.get(steps[0]), json.loads(raw or b"{}")
            if steps[1] == "finish":
                sha = str(request["sha256"])
                return 200, self.finish(session, int(request["parts"]), int(request["records"]), sha, codes)
            if steps[1] == "differences":
                return 200, self.page(session, str(request.get("after") or ""), int(request.get("limit") or 1000))
            wanted = [str(code) for code in request["codes"]][:1000]
            return 200, {"records": {code: items(code) for code in wanted}}
        except ReconciliationError as exc:
            return 409, {"error": str(exc)}
        except (ValueError, TypeError, KeyError, AttributeError):
            return 400, {"error": "bad_request"}

    def get(self, session_id: str) -> Session:
        session = self.sessions.get(session_id)
        if session is None:
            raise ReconciliationError("unknown_session")
        return session

    def part(self, session: Session, number: int, raw: bytes, lookup: Callable[[str], str | None]) -> int:
        if session.finished:
            raise ReconciliationError("finished")
        if number != session.parts + 1:
            raise ReconciliationError("gap")
        lines = []
        for line in raw.splitlines():
            if not line.strip():
                continue
            try:
                item = json.loads(line)
                code, value = str(item["c"]), str(item["d"])
            except (ValueError, KeyError, TypeError):
                raise ReconciliationError("bad_request") from None
            if code <= session.last_code:
                raise ReconciliationError("order")
            session.last_code = code
            lines.append((code, value))
        session.hash.update(raw)
        session.parts += 1
        for code, value in lines:
            session.seen.add(code)
            held = lookup(code)
            if held is None:
                session.differences.append((code, ONLY_AT_CS))
            elif held != value:
                session.differences.append((code, DIFFERS))
        session.records += len(lines)
        return len(lines)

    def finish(
        self, session: Session, parts: int, records: int, sha256: str, codes: Callable[[], Iterable[str]]
    ) -> dict[str, int]:
        if (parts, records) != (session.parts, session.records) or sha256 != session.hash.hexdigest():
            raise ReconciliationError("incomplete")
        if not session.finished:
            session.differences.extend((code, ONLY_AT_PREFECTURE) for code in codes() if code not in session.seen)
            session.differences.sort()
            session.seen = set()
            session.finished = True
        counts = {ONLY_AT_CS: 0, ONLY_AT_PREFECTURE: 0, DIFFERS: 0}
        for _, kind in session.differences:
            counts[kind] += 1
        return {**counts, "records": session.records}

    def page(self, session: Session, after: str, limit: int) -> dict[str, Any]:
        if not session.finished:
            raise ReconciliationError("not_finished")
        found = [d for d in session.differences if d[0] > after][: max(1, min(limit, 10_000))]
        more = bool(found) and found[-1] != session.differences[-1]
        return {"differences": [list(d) for d in found], "next": found[-1][0] if more else None}
