"""Readers of the register for certificates: the persons a request covers and what each
of them prints.  Every read goes through ``jumin.registry.queries.person_card`` (capability
check, the masks of 10.4) and is written to the access log with whether a 個人番号 or
住民票コード was printed.

Rules applied here (spec 5.1, rules-and-vectors §6.3, §7):

* the optional groups (世帯主・続柄, 本籍・筆頭者, 住民票コード, 個人番号, 在留資格等, 通称履歴) are
  printed only when asked for and allowed on the route (``jumin.core.certificates``), and
  only by an operator who may see them;
* before the 転出予定日 a leaving person is still a member of the household and the 転出
  entries are left out (5.1);
* a 除票 (incl. the 除票DB) is issued as 個人票 only, with its 消除 entry in the 備考;
* メモ are never printed (1.1.15).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.conf import settings

from jumin.accounts.principal import Principal
from jumin.audit.services import record_access
from jumin.certificates import content as c
from jumin.conf.domain import era_table
from jumin.core import certificates as rules
from jumin.core import move_out_qr, records
from jumin.core.address import full_address, street_address
from jumin.core.errors import DomainError
from jumin.core.relationship import Member, parse_relationship
from jumin.registry.models import (
    ArchivedHistory,
    ArchivedResident,
    NationalityKind,
    ResidenceCategory,
    Resident,
    ResidentHistory,
    Status,
)
from jumin.registry.ordering import in_household_order
from jumin.registry.queries import MASK, PersonCard, history_entry, person_card

ISSUE = "accounts.issue_certificate"
REMOVED_KINDS = (c.REMOVED_COPY, c.REMOVED_ITEM_CERTIFICATE)
ITEM_KINDS = (c.ITEM_CERTIFICATE, c.REMOVED_ITEM_CERTIFICATE)
MOVE_OUT_KINDS = (c.MOVE_OUT, c.MOVE_OUT_EQUIVALENT)
# 転出証明書 (施行令23条): 法7条1号から8号の2まで, 10号から11号の2まで (個別事項) and 13号, with
# 転出先 and 転出の予定年月日.
MOVE_OUT_ITEMS = frozenset(
    {
        rules.HEAD_RELATIONSHIP,
        rules.HONSEKI,
        rules.RESIDENT_CODE,
        rules.INDIVIDUAL_NUMBER,
        rules.FOREIGN_STATUS,
        rules.PROGRAM_ITEMS,
    }
)
# 個別事項 printed (法7条10号〜11号の2); 選挙人名簿登録 (9号) is not a certificate item.
PRINTED_PROGRAMS = ("nhi", "late_elderly", "long_term_care", "pension", "child_allowance")

DEFAULT_ATTESTATIONS = {
    "copy": "この写しは、住民票の原本と相違ないことを証明する。",
    "copy_household": "この写しは、世帯全員の住民票の原本と相違ないことを証明する。",
    "copy_household_part": "この写しは、世帯の一部の住民票の原本と相違ないことを証明する。",
    "removed_copy": "この写しは、住民票の除票の原本と相違ないことを証明する。",
    "item_certificate": "上記の事項は、住民票に記載されていることを証明する。",
    "removed_item_certificate": "上記の事項は、住民票の除票に記載されていることを証明する。",
    "move_out": "上記の者は、転出の届出をしたことを証明する。",
    "move_out_equivalent": "上記の者は、転出したことを証明する（転出証明書に準ずる証明書）。",
    "resident_code_notice": "上記のとおり住民票コードを記載したので通知します（住民基本台帳法第30条の3）。",
}


def attestation(kind: str, layout: str, whole_household: bool) -> str:
    """認証文 [U]: the wording varies by municipality, so ``JUMIN_ATTESTATIONS`` may override each."""
    key = kind
    if kind == c.COPY and layout == c.HOUSEHOLD:
        key = "copy_household" if whole_household else "copy_household_part"
    texts = {**DEFAULT_ATTESTATIONS, **getattr(settings, "JUMIN_ATTESTATIONS", {})}
    return str(texts[key])


@dataclass
class Subject:
    """One person a request covers: the record, the masked card, the 除票 rows to print."""

    atena_no: str
    record: Any  # Resident or a snapshot of an ArchivedResident
    card: PersonCard
    history: list[Any]
    archived: bool
    leaving: bool  # 転出予定: still a member until the 予定日


@dataclass
class Target:
    """What a request is about: the household's persons in 5.2 order (or the one 除票)."""

    subjects: list[Subject]
    household_no: str
    whole_household: bool
    address: str
    katagaki: str
    head_name: str


def _require(principal: Principal) -> None:
    if not principal.has_perm(ISSUE):
        raise DomainError("auth.forbidden", "証明書を交付する権限がありません。")


def _leaving(resident: Resident, today: date) -> bool:
    return (
        resident.status == Status.REMOVED
        and resident.planned_move_out_on is not None
        and resident.planned_move_out_on > today
    )


def _ordered(residents: list[Resident]) -> list[Resident]:
    order = in_household_order(
        residents[0].household_no if residents else "",
        (
            Member(
                r.atena_no,
                parse_relationship(r.relationship),
                r.birth_sort,
                is_koseki_head=r.koseki_head == r.name,
                family_of=r.family_of or None,
            )
            for r in residents
        ),
    )
    by_atena = {r.atena_no: r for r in residents}
    return [by_atena[m.atena_no] for m in order]


def _rows(atena_no: str, *, archived: bool) -> list[Any]:
    model = ArchivedHistory if archived else ResidentHistory
    return list(model.objects.filter(atena_no=atena_no).select_related("movement").order_by("history_no"))


def _records(rows: list[Any]) -> tuple[records.Record, ...]:
    return records.split(records.Row(r.history_no, r.category, r.reason) for r in rows)


def _of_record(rows: list[Any], record: records.Record | None) -> list[Any]:
    wanted = set(record.history_nos) if record is not None else set()
    return [r for r in rows if r.history_no in wanted]


def _subject(principal: Principal, record: Any, *, archived: bool, leaving: bool, with_rows: bool) -> Subject:
    """A person of a 住民票の写し (or notice): the history of the current record only — a
    former stay (a 除票) or the record before a 改製 is not part of the 住民票 (20.1.1)."""
    rows: list[Any] = []
    if with_rows:
        rows = _rows(record.atena_no, archived=archived)
        rows = _of_record(rows, records.current(_records(rows)))
    return Subject(record.atena_no, record, person_card(principal, record), rows, archived, leaving)


def target(
    principal: Principal,
    kind: str,
    atena_no: str,
    *,
    layout: str,
    members: Iterable[str] = (),
    with_history: bool,
    today: date,
    record_no: int | None = None,
) -> Target:
    """The persons of a request: the one person (個人票), or the household of ``atena_no``
    (世帯連記式: all current members, or only ``members`` when given); for a 除票, record
    ``record_no`` of the person (1 = oldest; None = the newest 除票)."""
    _require(principal)
    atena_no = atena_no.strip()
    if kind in REMOVED_KINDS:
        return _removed_target(principal, atena_no, with_history=with_history, today=today, record_no=record_no)
    if kind in MOVE_OUT_KINDS:
        return _move_out_target(principal, atena_no)
    if kind == c.RESIDENT_CODE_NOTICE:
        return resident_code_target(principal, atena_no)
    resident = Resident.objects.filter(atena_no=atena_no).first()
    if resident is None:
        raise DomainError("resident.not_found", "その宛名番号の住民はいません。")
    if resident.status != Status.CURRENT and not _leaving(resident, today):
        raise DomainError("certificate.removed_person", "この方は除票です。除票の写しを選んでください。")
    if layout == c.INDIVIDUAL:
        chosen = [resident]
        whole = False
    else:
        household = [
            r
            for r in Resident.objects.filter(household_no=resident.household_no)
            if r.status == Status.CURRENT or _leaving(r, today)
        ]
        wanted = {m.strip() for m in members if m.strip()}
        unknown = wanted - {r.atena_no for r in household}
        if unknown:
            raise DomainError("certificate.not_member", "指定された方はこの世帯の世帯員ではありません。")
        chosen = _ordered([r for r in household if not wanted or r.atena_no in wanted])
        whole = len(chosen) == len(household)
    subjects = [
        _subject(principal, r, archived=False, leaving=_leaving(r, today), with_rows=with_history) for r in chosen
    ]
    return Target(
        subjects,
        resident.household_no,
        whole,
        _street(resident),
        resident.katagaki,
        resident.head_name,
    )


def _removed_target(
    principal: Principal, atena_no: str, *, with_history: bool, today: date, record_no: int | None = None
) -> Target:
    """A 除票: one closed record of the person (20.1.3).  A person who left and came back, or
    whose 住民票 was 改製, is a resident with a 除票 of the former record; the 除票 prints that
    record's items as they stood at its last row and only its history."""
    resident = Resident.objects.filter(atena_no=atena_no).first()
    archived = resident is None
    if resident is None and not ArchivedResident.objects.filter(atena_no=atena_no).exists():
        raise DomainError("resident.not_found", "その宛名番号の住民（除票DBを含む）はいません。")
    rows = _rows(atena_no, archived=archived)
    found = _records(rows)
    if resident is not None and _leaving(resident, today):
        found = found[:-1]  # before the 転出予定日 the last record is still the 住民票 (5.1)
    if resident is not None and not any(r.removed for r in found) and record_no is None:
        raise DomainError("certificate.not_removed", "この方は除票ではありません。住民票の写しを選んでください。")
    chosen = records.removed_record(found, record_no)
    history = _of_record(rows, chosen)
    last = history[-1]
    subject = Subject(atena_no, last, person_card(principal, last), history, archived, False)
    if not with_history:
        subject.history = [r for r in subject.history if r.category == "remove"][-1:]
    return Target([subject], last.household_no, False, _street(last), last.katagaki, last.head_name)


def _move_out_target(principal: Principal, atena_no: str) -> Target:
    """転出証明書: every person of the person's last 国内転出 (one 転出届 may move several)."""
    row = (
        ResidentHistory.objects.filter(atena_no=atena_no, reason="domestic_move_out")
        .select_related("movement")
        .order_by("-history_no")
        .first()
    )
    resident = Resident.objects.filter(atena_no=atena_no).first()
    if row is None or resident is None or resident.history_no != row.history_no:
        raise DomainError("certificate.no_move_out", "この方の国内転出（転出届）の記録がありません。")
    numbers = ResidentHistory.objects.filter(movement=row.movement, reason="domestic_move_out").values("atena_no")
    residents = _ordered(list(Resident.objects.filter(atena_no__in=numbers)))
    subjects = [_subject(principal, r, archived=False, leaving=False, with_rows=False) for r in residents]
    return Target(subjects, row.household_no, False, _street(row), row.katagaki, row.head_name)


def _street(record: Any) -> str:
    """住所 with its 番地, printed in the 住所 box (the 方書 has its own)."""
    return street_address(record.address, record.banchi)


def move_out_extra(target: Target) -> tuple[c.Field, ...]:
    """転出先 and 転出の予定年月日 (and the 異動日 once the 予定日 has passed)."""
    first = target.subjects[0].card.values
    return (
        c.Field("転出先（予定）", first["destination"]),
        c.Field("転出の予定年月日", first["planned_move_out_on"]),
        c.Field("届出日", first["notified_on"]),
    )


def move_out_data(target: Target) -> str:
    """The QR code of a 転出証明書 (10.8, 20.2.1): its data as CSV, one line per person, so the
    new municipality imports it instead of typing it (``jumin.core.move_out_qr``).  The 生年月日
    is carried as recorded: an uncertain date stays uncertain (no みなし生年月日, 1.1.8)."""
    movers = []
    for subject in target.subjects:
        v = subject.card.values
        record = subject.record
        movers.append(
            move_out_qr.Mover(
                name=v["name"],
                furigana=v["furigana"],
                birth=v["birth"],
                sex=record.sex,
                relationship=v["relationship"],
                resident_code=v["resident_code"],
                individual_number=v["individual_number"],
                destination=full_address(record.destination, record.destination_banchi, record.destination_katagaki),
                planned_move_out_on=record.planned_move_out_on.isoformat() if record.planned_move_out_on else "",
            )
        )
    return move_out_qr.encode(settings.JUMIN_MUNICIPALITY["lg_code"], movers)


def resident_code_target(principal: Principal, atena_no: str) -> Target:
    """住民票コード通知票 (20.4.1–3): one current person with a 住民票コード."""
    resident = Resident.objects.filter(atena_no=atena_no, status=Status.CURRENT).first()
    if resident is None or not resident.resident_code:
        raise DomainError("certificate.no_resident_code", "住民票コードが記載された住民がいません。")
    subject = _subject(principal, resident, archived=False, leaving=False, with_rows=False)
    return Target(
        [subject],
        resident.household_no,
        False,
        _street(resident),
        resident.katagaki,
        resident.head_name,
    )


# -- what each person prints -------------------------------------------------------------------


def _field(label: str, value: Any, printed: bool = True) -> c.Field:
    return c.Field(label, str(value or "") if printed else "", omitted=not printed)


def _name(values: dict[str, Any], with_furigana: bool) -> str:
    name = str(values["name"])
    if with_furigana and values["furigana"]:
        return f"{name}（{values['furigana']}）"
    return name


def person_fields(
    subject: Subject, printable: frozenset[str], *, layout: str, with_furigana: bool
) -> list[tuple[str, c.Field]]:
    """(key, Field) of one person in print order; keys let a 記載事項証明書 pick items."""
    v = subject.card.values
    foreign = v["nationality_kind"] == NationalityKind.FOREIGN
    head = rules.HEAD_RELATIONSHIP in printable
    out: list[tuple[str, c.Field]] = [("name", _field("氏名", _name(v, with_furigana)))]
    if v["former_surname"]:
        out.append(("former_surname", _field("旧氏", v["former_surname"])))
    if foreign and v["alias"]:
        out.append(("alias", _field("通称", v["alias"])))
    out += [
        ("birth", _field("生年月日", v["birth"])),
        ("sex", _field("性別", v["sex"])),
        ("relationship", _field("続柄", v["relationship"], head)),
    ]
    if layout == c.INDIVIDUAL:
        out.append(("head_name", _field("世帯主", v["head_name"], head)))
    since = v["foreign_resident_since"] if foreign else v["became_resident"]
    out += [
        ("became_resident", _field("外国人住民となった年月日" if foreign else "住民となった年月日", since)),
        ("address_set", _field("住所を定めた年月日", v["address_set"])),
        ("notified_on", _field("届出日", v["notified_on"])),
        ("previous_address", _field("転入前住所", v["previous_address"])),
    ]
    if v["moved_from_address"]:
        out.append(("moved_from_address", _field("異動前住所", v["moved_from_address"])))
    if not foreign:
        out.append(("honseki", _field("本籍・筆頭者", v["honseki"], rules.HONSEKI in printable)))
    out.append(("individual_number", _field("個人番号", v["individual_number"], rules.INDIVIDUAL_NUMBER in printable)))
    out.append(("resident_code", _field("住民票コード", v["resident_code"], rules.RESIDENT_CODE in printable)))
    if foreign:
        shown = rules.FOREIGN_STATUS in printable
        out += [
            ("nationality", _field("国籍・地域", v["nationality"], shown)),
            ("residence_category", _field("法第30条の45に規定する区分", _category(v), shown)),
            ("residence_status", _field("在留資格", v["residence_status"], shown)),
            ("period_of_stay", _field("在留期間等", v["period_of_stay"] or v["landing_period"], shown)),
            ("stay_expires_on", _field("在留期間等の満了の日", v["stay_expires_on"], shown)),
            ("residence_card_no", _field("在留カード等の番号", _card_no(v), shown)),
        ]
    if rules.PROGRAM_ITEMS in printable:
        out += [("program_items", _field(label, text)) for label, text in program_lines(v)]
    return out


def program_lines(values: dict[str, Any]) -> list[tuple[str, str]]:
    """個別事項 (1.1.1, 施行令23条): (label, text) of each program recorded, 基礎年金番号 included."""
    lines = []
    for line in values.get("program_items") or []:
        if line["key"] not in PRINTED_PROGRAMS:
            continue
        text = line["text"]
        if line.get("basic_pension_no"):
            text += f"\u3000基礎年金番号\u3000{line['basic_pension_no']}"
        lines.append((line["label"], text))
    return lines


def _category(values: dict[str, Any]) -> str:
    code = values["residence_category"]
    return str(ResidenceCategory(code).label) if code in ResidenceCategory.values else str(code or "")


def _card_no(values: dict[str, Any]) -> str:
    return str(values["residence_card_no"] or values["special_permanent_cert_no"] or "")


def check_printable(
    subjects: list[Subject], printable: frozenset[str], principal: Principal | None = None, *, asked: bool = False
) -> None:
    """An item asked for must be one the operator may see: a masked value cannot be certified.
    個別事項 need the 個人番号-level capability (the 基礎年金番号 is among them): when asked
    for, or when a person on a 転出証明書 (where they are always printed) has any."""
    programs = rules.PROGRAM_ITEMS in printable and (asked or any(program_lines(s.card.values) for s in subjects))
    if programs and principal is not None and not principal.sees("individual_number"):
        raise DomainError("certificate.item_forbidden", "個別事項を記載する権限がありません。")
    needs = {
        rules.INDIVIDUAL_NUMBER: ("individual_number", "個人番号"),
        rules.RESIDENT_CODE: ("resident_code", "住民票コード"),
        rules.HONSEKI: ("honseki", "本籍・筆頭者"),
        rules.FOREIGN_STATUS: ("residence_status", "在留資格等"),
    }
    for group, (key, label) in needs.items():
        if group in printable and any(key in s.card.masked for s in subjects):
            raise DomainError("certificate.item_forbidden", f"{label}を記載する権限がありません。")


def history_lines(subject: Subject, *, with_history: bool) -> tuple[str, ...]:
    """異動履歴 (A類型) when asked for; a leaving person's 転出 entries are left out before the
    予定日 (5.1)."""
    if not with_history:
        return ()
    rows = [r for r in subject.history if not (subject.leaving and r.category == "remove")]
    return tuple(history_entry(r) for r in rows)


def remarks(subject: Subject, *, with_history: bool) -> tuple[str, ...]:
    """備考: the 消除 entry of a 除票 (when the history is not printed anyway) and the free
    備考 (C類型).  メモ are never printed."""
    lines: list[str] = []
    if subject.record.status == Status.REMOVED and not subject.leaving and not with_history:
        removing = [r for r in subject.history if r.category == "remove"][-1:]
        lines += [history_entry(r) for r in removing]
    notes = subject.card.values.get("notes") or ""
    return tuple(lines + ([notes] if notes else []))


def alias_history(subject: Subject, printable: frozenset[str]) -> tuple[str, ...]:
    if rules.ALIAS_HISTORY not in printable:
        return ()
    entries = subject.record.alias_history or []
    return tuple(_alias_line(e) for e in entries)


def _alias_line(entry: Any) -> str:
    """「通称　王　記載　令和8年4月1日（上尾市）　削除　令和9年1月5日（上尾市）」."""
    if not isinstance(entry, dict):
        return str(entry)

    def day(key: str) -> str:
        text = str(entry.get(key) or "")
        return era_table().format(date.fromisoformat(text)) if text else ""

    parts = [f"通称\u3000{entry.get('alias', '')}", f"記載\u3000{day('recorded_on')}（{entry.get('recorded_in', '')}）"]
    if entry.get("deleted_on"):
        parts.append(f"削除\u3000{day('deleted_on')}（{entry.get('deleted_in', '')}）")
    return "\u3000".join(parts)


def log_printed(subjects: list[Subject], printable: frozenset[str], *, purpose: str, criteria: dict[str, Any]) -> None:
    record_access(
        purpose=purpose,
        persons=[s.atena_no for s in subjects],
        action="print",
        criteria=criteria,
        individual_number_shown=rules.INDIVIDUAL_NUMBER in printable
        and any(s.card.values["individual_number"] not in ("", MASK) for s in subjects),
        resident_code_shown=rules.RESIDENT_CODE in printable and any(s.card.values["resident_code"] for s in subjects),
    )
