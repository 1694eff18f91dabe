"""整合性確認 (standard spec 7.1.1.2; assessment system 2, function 6): check that our
本人確認情報 file agrees with the prefecture server's copy.

「本人確認情報ファイルの内容が、都道府県サーバ…と整合することを確認するため、…整合性確認用本人確認情報を
送付し、結果の通知を受領する。」 — so CS **sends** and the prefecture **answers** (the
prefecture keeps the master comparison; the simulator in ``peers/prefecture`` does it):

1. ``POST /reconciliation/start`` → a session id.
2. ``POST /reconciliation/<id>/part/<n>`` (n = 1, 2, …): NDJSON lines ``{"c": 住民票コード,
   "d": digest}`` of our **current** records (``superseded_at`` empty, 現存 and 消除), in
   ascending 住民票コード order, about ``PART_BYTES`` per part.  Each part is an ordinary signed
   request (jumin.linkage.signing: the signature covers the SHA-256 of that part and the path,
   so its number), so nothing needs a streaming signature.
3. ``POST /reconciliation/<id>/finish`` ``{"parts", "records", "sha256"}`` where sha256 is the
   SHA-256 of all the parts' bytes in order: the prefecture refuses (``incomplete``) unless it
   received exactly that, then answers the counts per kind.
4. ``POST /reconciliation/<id>/differences`` ``{"after", "limit"}``: the differences page by
   page (住民票コード, kind: ``only_at_cs`` / ``only_at_prefecture`` / ``differs``).
5. ``POST /reconciliation/<id>/records`` ``{"codes"}``: for at most ``detail_limit`` differing
   records, the prefecture's items, compared with ours item by item.

Digest of a record = SHA-256 of the canonical JSON (an array of the values of :data:`ITEMS` in
sorted item-name order, no spaces, UTF-8) — the telegram body of docs/jukinet.md — with the 個人番号 replaced by
HMAC-SHA256(reconciliation key, 個人番号) in hex ("" when none).  The reconciliation key is a
secret shared with the prefecture (``reconciliation.key`` in the key directory, generated on
first use): a digest that leaks cannot be brute-forced back to a 12-digit number.  The number
is opened from the sealed column only in memory (one AES-GCM context for the whole run).

Memory stays flat: our rows come through a server-side cursor (``iterator``) ordered by
住民票コード, one part (a few MB) is held at a time, differences come back page by page and go
straight into the CSV.  The report (``JUMIN_VAR_DIR/jukinet/reconciliation/*.csv``) names the
宛名番号, the kind and the differing item names — never a 住民票コード or 個人番号; one
operation-log row ``jukinet.reconciled`` keeps the counts.
"""

from __future__ import annotations

import base64
import binascii
import csv
import hashlib
import heapq
import http.client
import json
import os
import queue
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from jumin.audit.services import record_operation
from jumin.core.errors import DomainError
from jumin.jukinet.dispatch import prefecture_url
from jumin.jukinet.models import BODY_FIELDS, IdentityRecord
from jumin.jukinet.retention import purge_identity_records
from jumin.linkage import signing
from jumin.linkage.client import DEFAULT_TIMEOUT, setting
from jumin.registry.models import ArchivedResident, Resident

KEY_FILE = "reconciliation.key"
BASE = "/reconciliation"
PART_BYTES = 4 << 20
CHUNK = 5000
PAGE = 5000
MAX_ANSWER = 64 << 20
DETAIL_LIMIT = 100

ONLY_AT_CS = "only_at_cs"
ONLY_AT_PREFECTURE = "only_at_prefecture"
DIFFERS = "differs"
KINDS = (ONLY_AT_CS, ONLY_AT_PREFECTURE, DIFFERS)
KIND_LABELS = {ONLY_AT_CS: "市町村CSのみ", ONLY_AT_PREFECTURE: "都道府県サーバのみ", DIFFERS: "内容相違"}

# The compared items: the telegram body (BODY_FIELDS) and the 個人番号 (as its keyed hash).
ITEMS: tuple[str, ...] = (*BODY_FIELDS, "individual_number")
ORDER = tuple(sorted(ITEMS))  # the canonical order of the digest: item names sorted
_COLUMNS = (*BODY_FIELDS, "individual_number_ct", "atena_no")


def item_label(item: str) -> str:
    if item == "individual_number":
        return "個人番号"
    return str(getattr(IdentityRecord._meta.get_field(item), "verbose_name", item))


def reconciliation_key() -> bytes:
    """The key shared with the prefecture for the 個人番号 hash (generated on first use, 0600)."""
    path = signing.key_dir() / KEY_FILE
    if not path.exists():
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="ascii") as handle:
            handle.write(base64.urlsafe_b64encode(os.urandom(32)).decode() + "\n")
    try:
        key = base64.urlsafe_b64decode(path.read_text(encoding="ascii").strip())
    except (ValueError, binascii.Error):
        key = b""
    if len(key) < 32:
        raise DomainError("jukinet.bad_key", f"整合性確認の鍵（{KEY_FILE}）が壊れています。")
    return key


class _Items:
    """Our current records as the compared items (the 個人番号 opened in memory and hashed).

    Rows come as raw database tuples of :data:`_COLUMNS` (no Django converters: they cost more
    than the digest at 10^6 rows); the few columns whose raw form differs from the telegram's
    JSON (dates, the timestamp, SQLite's 0/1 booleans) are converted here."""

    def __init__(self, key: bytes) -> None:
        self._aead = AESGCM(settings.SECRETS.data_key)
        block = (hashlib.sha256(key).digest() if len(key) > 64 else key).ljust(64, b"\0")
        self._inner = hashlib.sha256(bytes(b ^ 0x36 for b in block))
        self._outer = hashlib.sha256(bytes(b ^ 0x5C for b in block))
        sqlite = connection.vendor == "sqlite"
        self._convert: list[tuple[int, Callable[[Any], Any]]] = []
        for index, name in enumerate(BODY_FIELDS):
            kind = getattr(IdentityRecord._meta.get_field(name), "get_internal_type", str)()
            if kind == "DateTimeField":
                self._convert.append((index, _sqlite_moment if sqlite else _iso))
            elif kind == "DateField":
                self._convert.append((index, _iso))
            elif kind == "BooleanField" and sqlite:
                self._convert.append((index, bool))
        self._positions = [BODY_FIELDS.index(item) if item in BODY_FIELDS else -1 for item in ORDER]

    def number_hash(self, ciphertext: str, atena_no: str) -> str:
        if not ciphertext:
            return ""
        raw = base64.urlsafe_b64decode(ciphertext)
        number = self._aead.decrypt(raw[:12], raw[12:], atena_no.encode())
        inner = self._inner.copy()  # HMAC-SHA256 with the key schedule computed once
        inner.update(number)
        outer = self._outer.copy()
        outer.update(inner.digest())
        return outer.hexdigest()

    def values(self, row: tuple[Any, ...]) -> list[Any]:
        """The values of :data:`ORDER` (the canonical order) of one raw row."""
        values = list(row)
        for index, convert in self._convert:
            if values[index] is not None:
                values[index] = convert(values[index])
        number = self.number_hash(row[-2], row[-1])
        return [values[position] if position >= 0 else number for position in self._positions]

    def items(self, row: tuple[Any, ...]) -> dict[str, Any]:
        return dict(zip(ORDER, self.values(row), strict=True))


def _iso(value: Any) -> str:
    return str(value.isoformat()) if hasattr(value, "isoformat") else str(value)


def _sqlite_moment(value: Any) -> str:
    """SQLite keeps an aware datetime as naive UTC (``YYYY-MM-DD HH:MM:SS[.ffffff]``)."""
    if isinstance(value, datetime):
        return (value if value.tzinfo else value.replace(tzinfo=UTC)).isoformat()
    return f"{str(value).replace(' ', 'T')}+00:00"


def digest_of(values: list[Any]) -> str:
    canonical = json.dumps(values, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def current_records() -> Any:
    return IdentityRecord.objects.filter(superseded_at__isnull=True)


def _raw_rows(queryset: Any, name: str = "rows") -> Iterator[tuple[Any, ...]]:
    """The rows of a ``values_list`` query as the driver returns them: a server-side cursor on
    PostgreSQL (inside a transaction), the plain cursor on SQLite (it steps lazily)."""
    sql, params = queryset.query.sql_with_params()
    if connection.vendor == "postgresql":
        with transaction.atomic(savepoint=False):  # no savepoint: two of these run interleaved
            connection.ensure_connection()
            with connection.connection.cursor(name=f"jukinet_reconciliation_{name}", binary=True) as cursor:
                cursor.itersize = CHUNK
                cursor.execute(sql, params)
                yield from cursor
        return
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        while rows := cursor.fetchmany(CHUNK):
            yield from rows


def key_id(key: bytes) -> str:
    """Which reconciliation key a stored digest was made with (rotating the key = recompute)."""
    return hashlib.sha256(b"jumin-reconciliation-key-id\n" + key).hexdigest()[:8]


class Stamper:
    """The stored digest of a record as it is written (``IdentityRecord.digest``)."""

    def __init__(self, key: bytes | None = None) -> None:
        key = key if key is not None else reconciliation_key()
        self._items = _Items(key)
        self._prefix = key_id(key) + ":"

    def of(self, values: Any) -> str:
        """``values``: a record (model instance) or the dict of its field values."""
        get = values.get if isinstance(values, dict) else lambda name: getattr(values, name)
        return self.of_row(tuple(get(name) for name in _COLUMNS))

    def of_row(self, row: tuple[Any, ...]) -> str:
        """A raw row of the reconciliation's columns."""
        return self._prefix + digest_of(self._items.values(row))


def stamp(record: IdentityRecord) -> None:
    """Set ``record.digest`` (called where a record is built, before it is saved)."""
    record.digest = Stamper().of(record)


def current_digests(key: bytes) -> Iterator[tuple[str, str]]:
    """(住民票コード, digest) of every current record, ascending, streamed: the digests stored
    with the current key from the covering index, the rest computed here, merged in order."""
    prefix = key_id(key) + ":"
    stored = (
        current_records()
        .filter(digest__startswith=prefix)
        .order_by("resident_code")
        .values_list("resident_code", "digest")
    )
    missing = current_records().exclude(digest__startswith=prefix).order_by("resident_code").values_list(*_COLUMNS)
    converter = _Items(key)
    cut = len(prefix)
    from_index = ((code, digest[cut:]) for code, digest in _raw_rows(stored, "stored"))
    computed = ((row[0], digest_of(converter.values(row))) for row in _raw_rows(missing, "missing"))
    with transaction.atomic():  # one transaction holds both server-side cursors to the end
        yield from heapq.merge(from_index, computed)


def refresh_digests(key: bytes | None = None, *, batch: int = 5000) -> int:
    """Store the digest of every record that has none with the current key (after an upgrade or
    a key rotation); the reconciliation works without it, only slower.  Returns the count."""
    key = key if key is not None else reconciliation_key()
    stamper = Stamper(key)
    prefix = key_id(key) + ":"
    table = connection.ops.quote_name(IdentityRecord._meta.db_table)
    done = last = 0
    while True:  # keyset pages by id: each page starts where the last one ended
        with transaction.atomic():
            rows = list(
                IdentityRecord.objects.filter(id__gt=last)
                .exclude(digest__startswith=prefix)
                .order_by("id")
                .values_list("id", *_COLUMNS)[:batch]
            )
            if not rows:
                return done
            pairs = [(stamper.of_row(row[1:]), row[0]) for row in rows]
            with connection.cursor() as cursor:
                cursor.executemany(f"UPDATE {table} SET digest = %s WHERE id = %s", pairs)  # noqa: S608  # nosec B608
        done += len(rows)
        last = rows[-1][0]


class ReconciliationError(DomainError):
    def __init__(self, code: str) -> None:
        super().__init__("jukinet.reconciliation_failed", f"都道府県サーバとの整合性確認ができませんでした（{code}）。")
        self.detail = code


@dataclass
class _Peer:
    """Signed requests over one kept-alive connection; answers verified (jukinet.signing)."""

    base_url: str
    timeout: float
    connection: http.client.HTTPConnection = field(init=False)

    def __post_init__(self) -> None:
        parts = urlsplit(self.base_url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise DomainError(
                "jukinet.unconfigured", "都道府県サーバの接続先（JUMIN_PREFECTURE_URL）の形式が正しくありません。"
            )
        cls = http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
        self.prefix = parts.path.rstrip("/")
        self.connection = cls(parts.hostname, parts.port, timeout=self.timeout)
        self.own, self.peer = signing.own_key(), signing.peer_key()

    def post(self, path: str, raw: bytes) -> dict[str, Any]:
        full = self.prefix + path
        signed = signing.sign_request(self.own, "POST", full, raw)
        headers = {"Content-Type": "application/json", **signed.as_dict()}
        try:
            self.connection.request("POST", full, body=raw, headers=headers)
            response = self.connection.getresponse()
            status, answer = response.status, response.read(MAX_ANSWER)
            lowered = {k.lower(): v for k, v in response.getheaders()}
        except (OSError, http.client.HTTPException):
            self.connection.close()
            raise ReconciliationError("unavailable") from None
        try:
            signing.verify_response(self.peer, status, lowered, signed.signature, answer)
        except signing.BadSignatureError as exc:
            raise ReconciliationError(f"peer_{exc}") from None
        try:
            payload = json.loads(answer)
        except ValueError:
            raise ReconciliationError("bad_answer") from None
        if status != 200 or not isinstance(payload, dict):
            error = payload.get("error") if isinstance(payload, dict) else None
            raise ReconciliationError(f"rejected:{str(error or f'http_{status}')[:60]}")
        return payload

    def post_json(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        return self.post(path, json.dumps(body, ensure_ascii=False, sort_keys=True).encode())

    def close(self) -> None:
        self.connection.close()


@dataclass
class ReconciliationResult:
    records: int = 0
    parts: int = 0
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(KINDS, 0))
    detailed: int = 0
    report: Path | None = None
    seconds: float = 0.0

    @property
    def differences(self) -> int:
        return sum(self.counts.values())


def _parts(digests: Iterable[tuple[str, str]], limit: int) -> Iterator[bytes]:
    lines: list[str] = []
    size = 0
    for code, value in digests:
        line = f'{{"c":"{code}","d":"{value}"}}\n'
        lines.append(line)
        size += len(line)
        if size >= limit:
            yield "".join(lines).encode()
            lines, size = [], 0
    if lines:
        yield "".join(lines).encode()


def _upload(
    peer: _Peer,
    session: str,
    parts: Iterable[bytes],
    result: ReconciliationResult,
    progress: Callable[[int], None] | None,
) -> Any:
    """Send the parts from a second thread, so that the prefecture checks one part while we
    digest the next (the socket wait releases the GIL); at most two parts wait in memory.
    Returns the SHA-256 of all the parts."""
    waiting: queue.Queue[bytes | None] = queue.Queue(maxsize=2)
    failure: list[BaseException] = []

    def send() -> None:
        while (raw := waiting.get()) is not None:
            if failure:
                continue  # drain; the main thread raises
            try:
                result.parts += 1
                result.records += int(peer.post(f"{BASE}/{session}/part/{result.parts}", raw)["records"])
            except BaseException as error:  # noqa: BLE001 - handed to the main thread
                failure.append(error)
            if progress is not None:
                progress(result.records)

    sender = threading.Thread(target=send, name="jukinet-reconciliation-upload", daemon=True)
    sender.start()
    whole = hashlib.sha256()
    try:
        for raw in parts:
            if failure:
                break
            whole.update(raw)
            waiting.put(raw)
    finally:
        waiting.put(None)
        sender.join()
    if failure:
        raise failure[0]
    return whole


def report_dir() -> Path:
    path = Path(settings.VAR_DIR) / "jukinet" / "reconciliation"
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    return path


def reconcile(
    *,
    now: datetime | None = None,
    detail_limit: int = DETAIL_LIMIT,
    part_bytes: int = PART_BYTES,
    progress: Callable[[int], None] | None = None,
) -> ReconciliationResult:
    """Run one 整合性確認 against ``JUMIN_PREFECTURE_URL`` (see the module docstring)."""
    url = prefecture_url()
    if not url:
        raise DomainError(
            "jukinet.unconfigured", "都道府県サーバの接続先（JUMIN_PREFECTURE_URL）が設定されていません。"
        )
    now = now or timezone.now()
    started = time.perf_counter()
    key = reconciliation_key()
    peer = _Peer(url, float(setting("JUMIN_PREFECTURE_TIMEOUT", str(DEFAULT_TIMEOUT))) * 6)
    result = ReconciliationResult()
    try:
        session = str(peer.post_json(f"{BASE}/start", {})["session"])
        whole = _upload(peer, session, _parts(current_digests(key), part_bytes), result, progress)
        summary = peer.post_json(
            f"{BASE}/{session}/finish", {"parts": result.parts, "records": result.records, "sha256": whole.hexdigest()}
        )
        result.counts = {kind: int(summary.get(kind, 0)) for kind in KINDS}
        result.report = report_dir() / f"reconciliation-{timezone.localtime(now):%Y%m%d-%H%M%S}.csv"
        result.detailed = _write_report(peer, session, key, result.report, detail_limit)
    finally:
        peer.close()
    result.seconds = time.perf_counter() - started
    record_operation(
        action="jukinet.reconciled",
        target_type="jukinet",
        after={
            "records": result.records,
            "parts": result.parts,
            **result.counts,
            "detailed": result.detailed,
            "report": result.report.name if result.report else "",
        },
    )
    return result


def _atena_numbers(codes: list[str]) -> dict[str, str]:
    """住民票コード → 宛名番号: the current record, else any record, else the register."""
    found: dict[str, str] = {}
    rows = IdentityRecord.objects.filter(resident_code__in=codes).order_by("resident_code", "superseded_at")
    for code, atena_no, superseded in rows.values_list("resident_code", "atena_no", "superseded_at"):
        if code not in found or superseded is None:
            found[code] = atena_no
    missing = [code for code in codes if code not in found]
    for model in (Resident, ArchivedResident):
        if missing:
            found.update(model.objects.filter(resident_code__in=missing).values_list("resident_code", "atena_no"))
            missing = [code for code in codes if code not in found]
    return found


def _differing_items(peer: _Peer, session: str, key: bytes, codes: list[str]) -> dict[str, list[str]]:
    """Which items differ, for records present on both sides (ours re-read by 住民票コード)."""
    theirs = peer.post_json(f"{BASE}/{session}/records", {"codes": codes})["records"]
    converter = _Items(key)
    rows = _raw_rows(current_records().filter(resident_code__in=codes).values_list(*_COLUMNS))
    ours = {row[0]: converter.items(row) for row in rows}
    items: dict[str, list[str]] = {}
    for code in codes:
        mine, held = ours.get(code), theirs.get(code)
        if mine is None or not isinstance(held, dict):
            continue
        items[code] = [item_label(item) for item in ITEMS if mine.get(item) != held.get(item)]
    return items


def _write_report(peer: _Peer, session: str, key: bytes, path: Path, detail_limit: int) -> int:
    detailed = 0
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["宛名番号", "種別", "相違項目"])
        after = ""
        while True:
            page = peer.post_json(f"{BASE}/{session}/differences", {"after": after, "limit": PAGE})
            differences = [(str(code), str(kind)) for code, kind in page["differences"]]
            atena = _atena_numbers([code for code, _ in differences])
            wanted = [code for code, kind in differences if kind == DIFFERS][: max(0, detail_limit - detailed)]
            items: dict[str, list[str]] = {}
            for start in range(0, len(wanted), 100):
                items.update(_differing_items(peer, session, key, wanted[start : start + 100]))
            detailed += len(wanted)
            for code, kind in differences:
                names = "・".join(items[code]) if code in items else ("（未取得）" if kind == DIFFERS else "")
                writer.writerow([atena.get(code, "不明"), KIND_LABELS.get(kind, kind), names])
            if not page.get("next"):
                return detailed
            after = str(page["next"])


COMMANDS = ("initial-load", "reconcile", "refresh-digests", "purge-identity")


@contextmanager
def progress_bar(description: str, total: int) -> Iterator[Callable[[int], None]]:
    """A progress bar on stderr like ``jumin seed-city`` (quiet when stderr is not a terminal)."""
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task(description, total=total)
        yield lambda done: bar.update(task, completed=done)


def run_command(action: str, write: Callable[[str], None]) -> None:
    """``jumin jukinet reconcile | refresh-digests | purge-identity`` (the command delegates here;
    ``initial-load`` is the command's own, jumin.jukinet.initial_load imports this module)."""
    if action == "reconcile":
        with progress_bar("整合性確認用本人確認情報を送付しています", current_records().count()) as advance:
            result = reconcile(progress=advance)
        counts = "、".join(f"{KIND_LABELS[kind]} {result.counts[kind]}件" for kind in KINDS)
        write(f"整合性確認: {result.records}件を照合しました（{counts}）。")
        if result.report is not None:
            write(f"結果: {result.report}")
    elif action == "refresh-digests":
        count = refresh_digests()
        write(f"整合性確認用ダイジェストを{count}件作成しました。")
    elif action == "purge-identity":
        purged = purge_identity_records()
        write(
            f"保存期間（150年）を過ぎた本人確認情報を消去しました（修正前 {purged.superseded}件、"
            f"消除 {purged.removed}件、電文 {purged.telegrams}件、未送信のため保留 {purged.kept_unsent}件）。"
        )
    else:
        raise ValueError(action)
