"""Readers of 支援措置 and 抑止.  Every function checks the capability and writes the access
log like ``jumin.registry.queries``.

For the later wiring of certificates, 閲覧, search and the person views:

* :func:`marks_for` — the marks to show next to each person (2.2.4: 支援措置中 / 仮支援措置中,
  前住所地, period alerts; 抑止 with its process and level, 一時解除中).  It logs the persons
  that carry a mark (the protection status is what it discloses); a list without marks adds
  nothing to the log the calling screen already writes.
* :func:`check` — allow / alert / refuse for one process on one person (3.1, 3.4).  A
  refusal or an alert is logged (who tried what on a protected person); an allow discloses
  nothing and is not.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from django.db.models import Prefetch, Q
from django.utils import timezone

from jumin.accounts.principal import Principal
from jumin.audit.services import record_access
from jumin.conf.domain import era_table
from jumin.core import support_periods
from jumin.core.errors import DomainError
from jumin.protection.models import Block, Process, ProtectedPerson, SupportMeasure
from jumin.protection.rules import active_measures_of, blocks_touching_many, former_address_modes
from jumin.registry.models import ArchivedResident, Household, Resident

MANAGE = "accounts.manage_support_measure"
BLOCK_READERS = (
    MANAGE,
    "accounts.set_block",
    "accounts.release_block",
    "accounts.temporarily_release_block",
)
# Who may see the marks: whoever may look at, enter, issue for or protect a person.
MARK_READERS = (
    "accounts.view_resident",
    "accounts.issue_certificate",
    "accounts.enter_movement",
    "accounts.approve_movement",
    *BLOCK_READERS,
)
# Who may ask whether a process may go ahead: whoever performs it.
PROCESS_PERMS: dict[str, tuple[str, ...]] = {
    Process.MOVEMENT: ("accounts.enter_movement", "accounts.approve_movement"),
    Process.CERTIFICATE: ("accounts.issue_certificate",),
    Process.FUHYO: ("accounts.issue_certificate",),
    Process.INQUIRY: ("accounts.view_resident",),
    Process.INSPECTION: ("accounts.issue_certificate", "accounts.run_batch"),
}

ALLOW, ALERT, REFUSE = "allow", "alert", "refuse"


def _require_any(principal: Principal, perms: Iterable[str]) -> None:
    if not any(principal.has_perm(p) for p in perms):
        raise DomainError("auth.forbidden", "この情報を照会する権限がありません。")


def wareki(value: date | None) -> str:
    return era_table().format(value) if value else ""


# -- marks (2.2.4) ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Mark:
    kind: str  # "support_measure" | "block"
    label: str  # 支援措置中 / 仮支援措置中（前住所地）/ 抑止（証明書発行・エラー）…
    level: str  # "error" | "alert"
    measure_no: str = ""
    block_id: int | None = None
    alert: str = ""  # period alert of the measure (3.4), or the block's temporary release


def _measure_mark(measure: SupportMeasure, former: bool, today: date) -> Mark:
    status = support_periods.status(measure.start_on, measure.end_on, today, terminated=False)
    return Mark(
        kind="support_measure",
        label=measure.label + ("（前住所地）" if former else ""),
        level="error",
        measure_no=measure.measure_no,
        alert=status.alert or "",
    )


def _block_mark(block: Block) -> Mark:
    released = block.temporarily_released()
    until = timezone.localtime(block.temporarily_released_until) if block.temporarily_released_until else None
    return Mark(
        kind="block",
        label=f"抑止（{block.get_process_display()}・{'エラー' if block.level == Block.Level.ERROR else 'アラート'}"
        f"{'・世帯' if block.scope == Block.Scope.HOUSEHOLD else ''}）",
        level=block.level,
        measure_no=block.measure.measure_no if block.measure is not None else "",
        block_id=block.pk,
        alert=f"一時解除中（{until:%H:%M}まで）" if released and until else "",
    )


def marks_for(
    principal: Principal, atena_nos: Iterable[str], *, purpose: str = "protection.marks"
) -> dict[str, list[Mark]]:
    """The marks of each person, for search results, person/household views, certificates."""
    _require_any(principal, MARK_READERS)
    numbers = [n for n in dict.fromkeys(atena_nos) if n]
    measures = active_measures_of(numbers)
    blocks = blocks_touching_many(numbers)
    former = former_address_modes(n for n in numbers if measures[n])
    today = timezone.localdate()
    marks: dict[str, list[Mark]] = {}
    for number in numbers:
        marks[number] = [_measure_mark(m, former[number], today) for m in measures[number]]
        marks[number] += [_block_mark(b) for b in blocks[number]]
    marked = [n for n, m in marks.items() if m]
    if marked:
        record_access(purpose=purpose, persons=marked, action="marks")
    return marks


# -- check (3.1, 3.4) -------------------------------------------------------------------------


@dataclass
class CheckResult:
    outcome: str  # allow | alert | refuse
    messages: list[str] = field(default_factory=list)
    block_ids: list[int] = field(default_factory=list)
    measure_nos: list[str] = field(default_factory=list)

    @property
    def allowed(self) -> bool:
        return self.outcome != REFUSE


def check(process: str, atena_no: str, principal: Principal, *, purpose: str = "") -> CheckResult:
    """May ``process`` go ahead for this person?  ``refuse`` while an error-level block is in
    effect (a temporary release lifts it until its time is up), ``alert`` for an alert-level
    block (the operator may proceed with a reason: ``services.proceed_past_alert``)."""
    if process not in PROCESS_PERMS:
        raise DomainError("protection.bad_process", "その処理の種類はありません。")
    _require_any(principal, PROCESS_PERMS[process])
    touching = [b for b in blocks_touching_many([atena_no], process)[atena_no] if b.in_effect()]
    label = Process(process).label
    errors = [b for b in touching if b.level == Block.Level.ERROR]
    alerts = [b for b in touching if b.level == Block.Level.ALERT]
    if errors:
        result = CheckResult(REFUSE)
        for block in errors:
            if block.measure is not None:
                result.messages.append(
                    f"支援対象者のため{label}はできません。支援措置責任者の審査を受けてください（{block.measure.measure_no}）。"
                )
            else:
                result.messages.append(f"{label}の抑止（エラー）が設定されています: {block.reason}")
    elif alerts:
        result = CheckResult(
            ALERT, [f"{label}の抑止（アラート）: {b.reason}。理由を記録して処理できます。" for b in alerts]
        )
    else:
        return CheckResult(ALLOW)
    chosen = errors or alerts
    result.block_ids = [b.pk for b in chosen]
    result.measure_nos = sorted({b.measure.measure_no for b in chosen if b.measure is not None})
    record_access(
        purpose=purpose or f"protection.check.{process}",
        persons=[atena_no],
        action="check",
        criteria={"process": process, "outcome": result.outcome},
    )
    return result


# -- lists for the officer --------------------------------------------------------------------


@dataclass
class PersonLine:
    atena_no: str
    name: str
    birth: str
    address: str
    status: str  # 現存 / 除票 / 除票DB / 不明


def _people(numbers: Iterable[str]) -> dict[str, PersonLine]:
    wanted = list(dict.fromkeys(numbers))
    lines: dict[str, PersonLine] = {}
    for row in Resident.objects.filter(atena_no__in=wanted):
        lines[row.atena_no] = PersonLine(
            row.atena_no, row.name, row.birth_text, row.address, "現存" if row.status == "current" else "除票"
        )
    for old in ArchivedResident.objects.filter(atena_no__in=[n for n in wanted if n not in lines]):
        lines[old.atena_no] = PersonLine(old.atena_no, old.name, old.birth_text, old.address, "除票DB")
    return {n: lines.get(n, PersonLine(n, "", "", "", "不明")) for n in wanted}


@dataclass
class BlockedLine:
    """One line of the 抑止対象者一覧 (9.2)."""

    block: Block
    name: str
    address: str
    in_effect: bool
    temporarily_released: bool


def blocked_persons(
    principal: Principal, *, include_released: bool = False, purpose: str = "protection.blocked_list"
) -> list[BlockedLine]:
    """抑止対象者一覧 (9.2): every block (not released, unless asked), with whom it is on."""
    _require_any(principal, BLOCK_READERS)
    rows = Block.objects.select_related("measure", "set_by").order_by("target_no", "process", "id")
    if not include_released:
        rows = rows.filter(released_at__isnull=True)
    blocks = list(rows)
    people = _people(b.target_no for b in blocks if b.scope == Block.Scope.PERSON)
    households = {
        h.household_no: h
        for h in Household.objects.filter(
            household_no__in=[b.target_no for b in blocks if b.scope == Block.Scope.HOUSEHOLD]
        )
    }
    lines = []
    for block in blocks:
        if block.scope == Block.Scope.PERSON:
            person = people[block.target_no]
            name, address = person.name, person.address
        else:
            household = households.get(block.target_no)
            name = f"世帯主 {household.head_name}" if household is not None else ""
            address = household.address if household is not None else ""
        lines.append(
            BlockedLine(block, name, address, block.in_effect(), not block.released and block.temporarily_released())
        )
    if lines:
        record_access(
            purpose=purpose,
            persons=[b.target_no for b in blocks if b.scope == Block.Scope.PERSON],
            action="list",
            criteria={"include_released": include_released},
            result_count=len(lines),
        )
    return lines


@dataclass
class MeasureLine:
    measure: SupportMeasure
    applicant: PersonLine
    period: support_periods.PeriodStatus


def measures(
    principal: Principal,
    *,
    state: str | None = SupportMeasure.State.ACTIVE,
    ending_soon: bool = False,
    atena_no: str = "",
    purpose: str = "protection.measures",
) -> list[MeasureLine]:
    """The measures (active by default).  ``ending_soon``: those in their last month or past
    their end without a decision (3.4: 期間終了間近の一覧); ``atena_no``: those protecting
    that person."""
    _require_any(principal, (MANAGE,))
    rows = SupportMeasure.objects.all().order_by("end_on", "id")
    if state:
        rows = rows.filter(state=state)
    if atena_no:
        rows = rows.filter(Q(persons__atena_no=atena_no) | Q(offenders__atena_no=atena_no)).distinct()
    today = timezone.localdate()
    found = list(rows)
    people = _people(m.applicant_atena_no for m in found)
    lines = [
        MeasureLine(
            m,
            people[m.applicant_atena_no],
            support_periods.status(m.start_on, m.end_on, today, terminated=m.state == SupportMeasure.State.ENDED),
        )
        for m in found
    ]
    if ending_soon:
        lines = [
            line
            for line in lines
            if line.measure.state == SupportMeasure.State.ACTIVE
            and line.period.phase in (support_periods.Phase.ENDING_SOON, support_periods.Phase.ENDED)
        ]
    if lines:
        record_access(
            purpose=purpose,
            persons=[line.applicant.atena_no for line in lines],
            action="list",
            criteria={"state": state or "", "ending_soon": ending_soon, "atena_no": atena_no},
            result_count=len(lines),
        )
    return lines


@dataclass
class MeasureDetail:
    measure: SupportMeasure
    period: support_periods.PeriodStatus
    persons: list[tuple[ProtectedPerson, PersonLine, bool]]  # person, record, 前住所地
    can_extend: bool
    blocks: list[Block]


def measure_detail(principal: Principal, measure_no: str, *, purpose: str = "protection.measure") -> MeasureDetail:
    """One measure with everything the 支援措置 database holds on it (1.1.16), its blocks and
    its decisions; logged with the protected persons and any local offender."""
    _require_any(principal, (MANAGE,))
    measure = (
        SupportMeasure.objects.filter(measure_no=measure_no.strip())
        .prefetch_related(
            Prefetch("persons", queryset=ProtectedPerson.objects.order_by("role", "id")),
            "offenders",
            "transfers",
            "decisions__by",
        )
        .first()
    )
    if measure is None:
        raise DomainError("support_measure.not_found", "その支援措置番号の支援措置はありません。")
    persons = list(measure.persons.all())
    people = _people(p.atena_no for p in persons)
    former = former_address_modes(p.atena_no for p in persons)
    today = timezone.localdate()
    active = measure.state == SupportMeasure.State.ACTIVE
    detail = MeasureDetail(
        measure=measure,
        period=support_periods.status(measure.start_on, measure.end_on, today, terminated=not active),
        persons=[(p, people[p.atena_no], former[p.atena_no]) for p in persons],
        can_extend=active and support_periods.can_extend(measure.end_on, today),
        blocks=list(measure.blocks.select_related("set_by", "released_by").order_by("target_no", "process")),
    )
    offenders = [o.atena_no for o in measure.offenders.all() if o.atena_no]
    record_access(purpose=purpose, persons=[p.atena_no for p in persons] + offenders, action="view")
    return detail


@dataclass
class PersonProtection:
    """What protects one person: the measures and the blocks (for the jump from the 住民票)."""

    person: PersonLine
    measures: list[MeasureLine]
    blocks: list[BlockedLine]
    marks: list[Mark]


def person_protection(principal: Principal, atena_no: str, *, purpose: str = "protection.person") -> PersonProtection:
    _require_any(principal, BLOCK_READERS)
    atena_no = atena_no.strip()
    person = _people([atena_no])[atena_no]
    if person.status == "不明":
        raise DomainError("resident.not_found", "その宛名番号の住民（除票DBを含む）はいません。")
    lines = measures(principal, state=None, atena_no=atena_no, purpose=purpose) if principal.has_perm(MANAGE) else []
    blocks = [
        BlockedLine(b, person.name, person.address, b.in_effect(), not b.released and b.temporarily_released())
        for b in Block.objects.filter(scope=Block.Scope.PERSON, target_no=atena_no)
        .select_related("measure", "set_by", "released_by")
        .order_by("released_at", "-set_at")
    ]
    marks = marks_for(principal, [atena_no], purpose=purpose)[atena_no]
    record_access(purpose=purpose, persons=[atena_no], action="view")
    return PersonProtection(person, lines, blocks, marks)
