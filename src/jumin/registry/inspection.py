"""住民基本台帳の一部の写し（閲覧用） (spec 9.5, 帳票 20.3.1; 住基法11条・11条の2): the reader.

Only the 閲覧台帳 (``jumin.inspection``) calls it, for an approved 閲覧申出 within its period
and its 町字: there is no screen or route that makes an extract without a 申出.

The extract holds only 氏名, 住所 (with 方書), 生年月日 and 性別 (法11条: 7条1〜3号 and 7号) of
the persons living in the chosen 町字 — current residents and 転出予定 persons whose date has not
come — and never a person protected by an active 支援措置 (仮支援措置 included) or under an
in-effect 閲覧 block on the person or their household (spec 3.4, 9.5; rules-and-vectors §6.4).

* **Which 町字**: a resident belongs to a town by the 大字 part of their 住所コード
  (municipality 5 + 大字 3, docs/addresses.md); a record without a 住所コード by the text of its
  address (「埼玉県上尾市」 + the town's name), the longest town name winning (「原市北」 is
  not 「原市」).
* **Random order** (9.5, the default): the lines are sorted by 宛名番号 and then shuffled with
  ``random.Random(seed)``; the seed (16 hex digits from ``secrets``) is written to the access
  log and the print log, so the same order can be reproduced from the same data for an audit,
  and nobody can guess it (the order says nothing about households or moving-in dates).
* **Address order** (``order=ADDRESS``): 9.5 names the random order as one example of the
  extraction conditions (「抽出条件を指定（例：支援対象者を除く、ランダム順位）」) and forbids no
  other order, so a municipality that lays its list out by address may choose it: by 住所コード,
  then the address text with its numbers compared as numbers (2番 before 10番), then the
  household (世帯番号) and the person (宛名番号).
* **Capability** ``issue_certificate``: the 閲覧用写し is one of the certificates whose issue is
  recorded (1.3.8 lists it beside 住民票の写し); the 証明書交付 role serves the 閲覧 counter. It
  is not ``run_batch`` (the batch operator reads no resident) nor ``use_euc`` (free extraction).
* **Logs**: the access log (purpose, the chosen towns, the seed, how many were listed and
  excluded, and the listed persons) and the print log (file output, the count and the seed,
  the listed persons).
"""

from __future__ import annotations

import csv
import io
import random
import re
import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from jumin.accounts.principal import Principal
from jumin.addresses.models import Town, municipality_lg_code5
from jumin.audit.services import record_access, record_print
from jumin.core.address import full_address
from jumin.core.errors import DomainError
from jumin.registry import hooks
from jumin.registry.models import NationalityKind, Resident, Status
from jumin.registry.queries import seireki_text

CAPABILITY = "accounts.issue_certificate"
TITLE = "住民基本台帳の一部の写し（閲覧用）"
HEADER = ("氏名", "住所", "生年月日", "性別")
SEX = {"1": "男", "2": "女"}
RANDOM = "random"
ADDRESS = "address"
ORDERS = {RANDOM: "無作為の順（ランダム）", ADDRESS: "住所の順"}


@dataclass(frozen=True)
class InspectionLine:
    name: str
    address: str
    birth: str
    sex: str


@dataclass
class InspectionExtract:
    towns: list[Town]
    seed: str
    lines: list[InspectionLine] = field(default_factory=list)
    made_at: str = ""
    order: str = RANDOM
    excluded: int = 0
    atena_nos: list[str] = field(default_factory=list)  # of the lines, in their order (for the logs)

    @property
    def filename(self) -> str:
        return f"etsuran_{self.made_at}.csv"


def towns() -> list[Town]:
    """The 町字 one may choose (in use, kana order)."""
    return list(Town.objects.filter(is_active=True).order_by("kana", "name"))


def _town_filter(chosen: list[Town], prefix: str) -> Q:
    lg5 = municipality_lg_code5()
    query = Q()
    for town in chosen:
        query |= Q(address_code__startswith=f"{lg5}{town.oaza_code}")
        query |= Q(address_code="", address__startswith=f"{prefix}{town.name}")
    return query


def _belongs(row: Resident, chosen: list[Town], every: list[Town], prefix: str) -> bool:
    """A row matched by its address text belongs to the chosen town with the longest name."""
    if row.address_code:
        return True
    matching = [t for t in every if row.address.startswith(f"{prefix}{t.name}")]
    best = max(matching, key=lambda t: len(t.name), default=None)
    return best is not None and best.oaza_code in {t.oaza_code for t in chosen}


def _line(row: Resident) -> InspectionLine:
    birth = row.birth_text
    if row.nationality_kind == NationalityKind.FOREIGN and birth:
        birth = seireki_text(birth)  # a foreign resident's 生年月日 in 西暦 (1.1.9)
    address = full_address(row.address, row.banchi, row.katagaki)
    return InspectionLine(row.name, address, birth, SEX.get(str(row.sex), ""))


def _numbers_as_numbers(text: str) -> tuple[tuple[int, int | str], ...]:
    """「本町2丁目10番」 → parts where runs of digits compare as numbers (2 before 10)."""
    return tuple((0, int(part)) if part.isdigit() else (1, part) for part in re.findall(r"\d+|\D+", text) if part)


def address_order_key(row: Resident) -> tuple[object, ...]:
    """住所の順: 住所コード (a record without one after those with one), the address text with
    its numbers as numbers, 方書, then 世帯番号 and 宛名番号."""
    text = full_address(row.address, row.banchi, row.katagaki)
    return (row.address_code == "", row.address_code, _numbers_as_numbers(text), row.household_no, row.atena_no)


def extract(
    principal: Principal,
    oaza_codes: Iterable[str],
    *,
    seed: str = "",
    purpose: str = "registry.inspection",
    order: str = RANDOM,
    criteria: Mapping[str, Any] | None = None,
    log_print: bool = True,
) -> InspectionExtract:
    """The 閲覧用 extract of the chosen 町字 (by 大字コード), protected persons left out, in
    random order (or by address, ``order=ADDRESS``).  Writes the access log, and the print log
    unless ``log_print`` is false (a caller that logs each output it makes itself)."""
    if not principal.has_perm(CAPABILITY):
        raise DomainError("auth.forbidden", "閲覧用の写しを作成する権限がありません。")
    if order not in ORDERS:
        raise DomainError("inspection.unknown_order", "並び順は「無作為」か「住所の順」を選んでください。")
    codes = sorted({c.strip() for c in oaza_codes if c.strip()})
    if not codes:
        raise DomainError("inspection.no_town", "町字を一つ以上選んでください。")
    every = list(Town.objects.all())
    chosen = [t for t in every if t.oaza_code in codes]
    if len(chosen) != len(codes):
        raise DomainError("inspection.unknown_town", "選ばれた町字の中に、登録されていないものがあります。")
    municipality = settings.JUMIN_MUNICIPALITY
    prefix = f"{municipality['prefecture']}{municipality['name']}"
    living = Q(status=Status.CURRENT) | Q(status=Status.REMOVED, planned_move_out_on__gt=timezone.localdate())
    rows = [
        row
        for row in Resident.objects.filter(living)
        .filter(_town_filter(chosen, prefix))
        .only(
            "atena_no",
            "household_no",
            "surname",
            "given_name",
            "name_alphabet",
            "address",
            "address_code",
            "banchi",
            "katagaki",
            "birth_text",
            "sex",
            "nationality_kind",
        )
        .order_by("atena_no")
        if _belongs(row, chosen, every, prefix)
    ]
    persons, households = hooks.excluded_from_inspection()
    listed = [r for r in rows if r.atena_no not in persons and r.household_no not in households]
    seed = seed or secrets.token_hex(8)
    if order == ADDRESS:
        listed.sort(key=address_order_key)
    else:
        random.Random(seed).shuffle(listed)  # noqa: S311 (an order, not a secret: the seed is logged)
    result = InspectionExtract(
        towns=chosen,
        seed=seed,
        lines=[_line(r) for r in listed],
        made_at=timezone.localtime().strftime("%Y%m%d%H%M%S"),
        order=order,
        excluded=len(rows) - len(listed),
        atena_nos=[r.atena_no for r in listed],
    )
    numbers = result.atena_nos
    record_access(
        purpose=purpose,
        persons=numbers,
        action="extract",
        criteria={**dict(criteria or {}), "towns": codes, "seed": seed, "order": order, "excluded": result.excluded},
        result_count=len(numbers),
    )
    if log_print:
        record_print(title=TITLE, mode="file", document=f"閲覧用 {len(numbers)}名 seed {seed}", persons=numbers)
    return result


def as_csv(result: InspectionExtract) -> bytes:
    """CSV for Excel: UTF-8 with BOM, CRLF, a header line."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(HEADER)
    for line in result.lines:
        writer.writerow((line.name, line.address, line.birth, line.sex))
    return out.getvalue().encode("utf-8-sig")
