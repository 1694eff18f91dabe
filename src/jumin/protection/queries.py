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

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date

from django.db.models import BooleanField, Model, Prefetch, Q
from django.db.models.expressions import RawSQL
from django.utils import timezone

from jumin.accounts.principal import Principal
from jumin.audit.services import record_access
from jumin.conf.domain import era_table
from jumin.core import support_periods
from jumin.core.address import full_address
from jumin.core.errors import DomainError
from jumin.core.periods import support_measure_extension_opens
from jumin.protection.models import Block, Process, ProtectedPerson, SupportMeasure
from jumin.protection.rules import (
    active_measures_of,
    all_exist,
    any_touching,
    blocks_touching_many,
    former_address_modes,
    households_of,
    offender_measures,
    touching_row_sql,
)
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


def touched(model: type[Model]) -> RawSQL:
    """An annotation for a query of person records (``model``): can a measure or a block touch
    this row's person?  False means :func:`marks_for` would find no mark and no block for them
    (the same probe, per row, in the reader's own statement — issue 24).  Only for deciding
    what to look up: it is never shown (the marks are, through :func:`marks_for`)."""
    sql, params = touching_row_sql(model._meta.db_table)
    return RawSQL(sql, params, output_field=BooleanField())  # noqa: S611  # nosec B611 - table names only


def marks_for(
    principal: Principal,
    atena_nos: Iterable[str],
    *,
    purpose: str = "protection.marks",
    households: Mapping[str, str] | None = None,
) -> dict[str, list[Mark]]:
    """The marks of each person, for search results, person/household views, certificates
    (``households``: their 世帯番号, when the caller has just read them)."""
    _require_any(principal, MARK_READERS)
    numbers = [n for n in dict.fromkeys(atena_nos) if n]
    houses = [households[n] for n in numbers] if households is not None and set(numbers) <= households.keys() else None
    if houses is not None and not any_touching(numbers, houses):
        return {number: [] for number in numbers}
    measures = active_measures_of(numbers)
    blocks = blocks_touching_many(numbers, households=households)
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
            row.atena_no,
            row.name,
            row.birth_text,
            full_address(row.address, row.banchi, row.katagaki),
            "現存" if row.status == "current" else "除票",
        )
    for old in ArchivedResident.objects.filter(atena_no__in=[n for n in wanted if n not in lines]):
        address = full_address(old.address, old.banchi, old.katagaki)
        lines[old.atena_no] = PersonLine(old.atena_no, old.name, old.birth_text, address, "除票DB")
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
            address = full_address(household.address, household.banchi, household.katagaki) if household else ""
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


def opens_protection(principal: Principal) -> bool:
    """May the caller open the 支援措置 database from a mark (2.2.4: jump to the DB)?"""
    return any(principal.has_perm(p) for p in BLOCK_READERS)


class Marks:
    """The marks as the register's ``jumin.registry.hooks.person_marks``."""

    marks_for = staticmethod(marks_for)
    opens_protection = staticmethod(opens_protection)
    detail_view = "protection:person"
    detail_label = "支援措置・抑止を表示"


MARKS = Marks()


# -- issuance (法12条〜12条の3, 3.4) ------------------------------------------------------------

ROUTES = {
    "self": "本人等の請求（住基法12条）",
    "public_body": "国・地方公共団体の機関の請求（12条の2）",
    "third_party": "第三者の申出（12条の3）",
    "agent": "代理人による請求",
}
ADDRESS_MODES = {"current": "住民票の写し等（現住所）", "former": "除票の写し等（前住所）"}


@dataclass
class IssuanceDecision:
    """May a 住民票の写し / 除票の写し of this person be issued on this route?"""

    outcome: str  # allow | alert | refuse
    code: str  # stable: issuance.allowed, protection.offender, protection.third_party, …
    messages: list[str] = field(default_factory=list)
    measure_nos: list[str] = field(default_factory=list)
    block_ids: list[int] = field(default_factory=list)
    former_address: bool = False  # the person has moved out: protection in 前住所地 mode (3.4)

    @property
    def allowed(self) -> bool:
        return self.outcome != REFUSE


def issuance_decision(
    principal: Principal,
    atena_no: str,
    route: str,
    address_mode: str = "current",
    *,
    requester_atena_no: str = "",
    requester_name: str = "",
    purpose: str = "protection.issuance",
) -> IssuanceDecision:
    """The protection side of issuing a certificate (3.4, rules-and-vectors §6.4), for the
    counter, the certificates app and linked systems such as コンビニ交付:

    1. a requester named as 加害者 of a measure protecting the person is refused, on any route
       and even while a block is temporarily released;
    2. a third-party (12条の3) or agent request touching a protected person is refused when the
       measure restricts that 写し (現住所: ``restrict_copy_current``; 除票・前住所: ``restrict_copy_former``
       — a person who moved out is in 前住所地 mode whatever was asked);
    3. otherwise the 証明書発行 blocks decide: refused while an error-level block is in effect
       (the 支援措置責任者 examines 本人's request and releases it temporarily), alert for an
       alert-level block.

    Every decision is written to the access log (it discloses whether the person is protected)."""
    return issuance_decisions(
        principal,
        [atena_no],
        route,
        address_mode,
        requester_atena_no=requester_atena_no,
        requester_name=requester_name,
        purpose=purpose,
    )[atena_no.strip()]


def _issuance_facts(numbers: list[str]) -> tuple[dict[str, list[SupportMeasure]], dict[str, list[Block]]]:
    """The active measures and the 証明書発行 blocks on each person.  The persons' households
    are read with their existence, and one probe that fetches no row spares the look-ups of
    measures and blocks for the great majority, who are not protected (issue 24)."""
    houses = households_of(numbers)
    if not numbers or not all(houses.get(n) for n in numbers):  # someone only in the 除票DB, or no one
        if not all_exist(numbers):
            raise DomainError("resident.not_found", "その宛名番号の住民（除票を含む）はいません。")
        return active_measures_of(numbers), blocks_touching_many(numbers, Process.CERTIFICATE)
    if not any_touching(numbers, houses.values()):
        return {n: [] for n in numbers}, {n: [] for n in numbers}
    return active_measures_of(numbers), blocks_touching_many(numbers, Process.CERTIFICATE, households=houses)


def issuance_decisions(
    principal: Principal,
    atena_nos: Iterable[str],
    route: str,
    address_mode: str = "current",
    *,
    requester_atena_no: str = "",
    requester_name: str = "",
    purpose: str = "protection.issuance",
) -> dict[str, IssuanceDecision]:
    """:func:`issuance_decision` for every person of one copy (a 世帯連記式 names several),
    with one read of measures and blocks and one access-log row."""
    if route not in ROUTES:
        raise DomainError(
            "issuance.bad_route", "請求の種別（本人等・国又は地方公共団体・第三者・代理人）を選んでください。"
        )
    if address_mode not in ADDRESS_MODES:
        raise DomainError("issuance.bad_address_mode", "現住所・前住所の別を選んでください。")
    _require_any(principal, PROCESS_PERMS[Process.CERTIFICATE])
    numbers = list(dict.fromkeys(a.strip() for a in atena_nos))
    measures, blocks = _issuance_facts(numbers)
    protected = [a for a in numbers if measures[a]]
    formers = former_address_modes(protected) if protected else {}
    decisions: dict[str, IssuanceDecision] = {}
    for atena_no in numbers:
        former = bool(measures[atena_no]) and formers.get(atena_no, False)
        decision = _issuance(
            route, address_mode, measures[atena_no], former, requester_atena_no, requester_name, blocks[atena_no]
        )
        decision.former_address = former
        decisions[atena_no] = decision
    outcomes = sorted({d.outcome for d in decisions.values()})
    record_access(
        purpose=purpose,
        persons=numbers,
        action="check",
        criteria={"process": "issuance", "route": route, "address_mode": address_mode, "outcome": ",".join(outcomes)},
    )
    return decisions


def _issuance(  # noqa: PLR0917 (private: the decision's inputs, in order)
    route: str,
    address_mode: str,
    measures: list[SupportMeasure],
    former: bool,
    requester_atena_no: str,
    requester_name: str,
    blocks: list[Block],
) -> IssuanceDecision:
    offended = offender_measures(measures, requester_atena_no, requester_name)
    if offended:
        return IssuanceDecision(
            REFUSE,
            "protection.offender",
            ["請求者は支援措置の加害者（相手方）として記録されています。交付できません（不当な目的）。"],
            offended,
        )
    mode = "former" if former else address_mode
    restricting = sorted(
        m.measure_no for m in measures if (m.restrict_copy_former if mode == "former" else m.restrict_copy_current)
    )
    if restricting and route in ("third_party", "agent"):
        who = "第三者の申出" if route == "third_party" else "代理人による請求"
        return IssuanceDecision(
            REFUSE,
            f"protection.{route}",
            [f"支援対象者のため、{who}による交付はできません。支援措置責任者に確認してください。"],
            restricting,
        )
    touching = [b for b in blocks if b.in_effect()]
    errors = [b for b in touching if b.level == Block.Level.ERROR]
    alerts = [b for b in touching if b.level == Block.Level.ALERT]
    chosen = errors or alerts
    numbers = sorted({b.measure.measure_no for b in chosen if b.measure is not None})
    if errors:
        return IssuanceDecision(
            REFUSE,
            "protection.blocked",
            [
                "支援対象者のため交付できません。本人等の請求は、支援措置責任者が審査して抑止を一時解除します。"
                if numbers
                else "証明書発行の抑止（エラー）が設定されています。"
            ],
            numbers,
            [b.pk for b in errors],
        )
    if alerts:
        return IssuanceDecision(
            ALERT,
            "protection.block_alert",
            [f"証明書発行の抑止（アラート）: {b.reason}。理由を記録して交付できます。" for b in alerts],
            numbers,
            [b.pk for b in alerts],
        )
    return IssuanceDecision(ALLOW, "issuance.allowed", [], restricting)


# -- 支援措置期間終了通知 (3.4, 20.5.1) -----------------------------------------------------------


@dataclass
class EndNotice:
    measure: SupportMeasure
    name: str
    address: str
    end_on: str  # 和暦
    extension_from: str  # 和暦: the day the extension window opens


def end_notices(
    principal: Principal, measure_nos: Iterable[str], *, purpose: str = "protection.end_notice"
) -> list[EndNotice]:
    """What the 支援措置期間終了通知 prints for each active measure: the applicant's name and the
    address to send it to (the 転出先 of the 申出書 once they moved out), the end date and
    when an extension may be asked for."""
    _require_any(principal, (MANAGE,))
    wanted = [n.strip() for n in dict.fromkeys(measure_nos) if n.strip()]
    rows = list(
        SupportMeasure.objects.filter(measure_no__in=wanted, state=SupportMeasure.State.ACTIVE).order_by("end_on", "id")
    )
    if not rows:
        raise DomainError(
            "support_measure.none_selected", "通知を作成する支援措置（支援措置中のもの）を選んでください。"
        )
    people = _people(m.applicant_atena_no for m in rows)
    former = former_address_modes(m.applicant_atena_no for m in rows)
    notices = []
    for measure in rows:
        person = people[measure.applicant_atena_no]
        address = measure.applicant_destination if former[measure.applicant_atena_no] else ""
        notices.append(
            EndNotice(
                measure=measure,
                name=person.name,
                address=address or person.address,
                end_on=wareki(measure.end_on),
                extension_from=wareki(support_measure_extension_opens(measure.end_on)),
            )
        )
    record_access(purpose=purpose, persons=[m.applicant_atena_no for m in rows], action="print")
    return notices
