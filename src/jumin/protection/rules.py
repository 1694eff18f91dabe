"""Which blocks and measures touch a person: shared by the writers and the readers.  No
permission check and no log here; callers do both."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.db import connection
from django.db.models import Q
from django.utils import timezone

from jumin.protection.models import Block, Process, ProtectedPerson, SupportMeasure
from jumin.registry.models import ArchivedResident, Resident, Status


def person_exists(atena_no: str) -> bool:
    """A record (current, 除票, or in the 除票DB) under this 宛名番号."""
    return bool(atena_no) and (
        Resident.objects.filter(atena_no=atena_no).exists()
        or ArchivedResident.objects.filter(atena_no=atena_no).exists()
    )


def all_exist(atena_nos: Iterable[str]) -> bool:
    """:func:`person_exists` for several numbers: one query (two when some are in the 除票DB)."""
    wanted = {a for a in atena_nos if a}
    found = set(Resident.objects.filter(atena_no__in=wanted).values_list("atena_no", flat=True))
    missing = wanted - found
    if missing:
        found |= set(ArchivedResident.objects.filter(atena_no__in=missing).values_list("atena_no", flat=True))
    return bool(wanted) and found >= wanted


def households_of(atena_nos: Iterable[str]) -> dict[str, str]:
    """宛名番号 → 世帯番号 of the person's latest record (current or 除票)."""
    return dict(Resident.objects.filter(atena_no__in=list(atena_nos)).values_list("atena_no", "household_no"))


def _placeholders(values: list[str]) -> str:
    return ", ".join(["%s"] * len(values))


def any_touching(atena_nos: Iterable[str], households: Iterable[str]) -> bool:
    """Does an active measure or a block not released for good name one of these persons or
    households?  One cheap probe that fetches no row, so that the readers skip the full
    look-up (measures, blocks, their details) for the great majority, who are not protected."""
    numbers = sorted({n for n in atena_nos if n})
    houses = sorted({h for h in households if h})
    if not numbers:
        return False
    persons, measures, blocks = (m._meta.db_table for m in (ProtectedPerson, SupportMeasure, Block))
    targets = "(scope = %s AND target_no IN ({}))"
    where = [targets.format(_placeholders(numbers))]
    params: list[str] = [SupportMeasure.State.ACTIVE.value, *numbers, Block.Scope.PERSON.value, *numbers]
    if houses:
        where.append(targets.format(_placeholders(houses)))
        params += [Block.Scope.HOUSEHOLD.value, *houses]
    # only placeholders and the models' table names go into the text
    person = f"SELECT 1 FROM {persons} p JOIN {measures} m ON m.id = p.measure_id WHERE m.state = %s"  # noqa: S608  # nosec B608
    block = f"SELECT 1 FROM {blocks} WHERE released_at IS NULL AND ({' OR '.join(where)})"  # noqa: S608  # nosec B608
    sql = f"{person} AND p.atena_no IN ({_placeholders(numbers)}) UNION ALL {block} LIMIT 1"
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone() is not None


def touching_row_sql(table: str) -> tuple[str, list[str]]:
    """:func:`any_touching` for the row of ``table`` (a table of person records, with its
    ``atena_no`` and ``household_no``) in an outer statement: a boolean SQL expression and its
    parameters, so that a reader learns in its own statement whom the probe can skip."""
    qn = connection.ops.quote_name
    persons, measures, blocks = (qn(m._meta.db_table) for m in (ProtectedPerson, SupportMeasure, Block))
    row = qn(table)
    # only the models' table names go into the text; the values are parameters
    person = (
        f"EXISTS (SELECT 1 FROM {persons} p JOIN {measures} m ON m.id = p.measure_id "  # noqa: S608  # nosec B608
        f"WHERE m.state = %s AND p.atena_no = {row}.atena_no)"
    )
    block = (
        f"EXISTS (SELECT 1 FROM {blocks} b WHERE b.released_at IS NULL AND ("  # noqa: S608  # nosec B608
        f"(b.scope = %s AND b.target_no = {row}.atena_no) OR (b.scope = %s AND b.target_no = {row}.household_no)))"
    )
    params = [SupportMeasure.State.ACTIVE.value, Block.Scope.PERSON.value, Block.Scope.HOUSEHOLD.value]
    return f"({person} OR {block})", params


def blocks_touching_many(
    atena_nos: Iterable[str], process: str | None = None, households: Mapping[str, str] | None = None
) -> dict[str, list[Block]]:
    """Blocks not released for good on each person or on their household (3.1).  A caller that
    has just read the persons' records passes their 世帯番号 (``households``) and saves a query;
    for one person without it the household is found in the same statement (a sub-select)."""
    numbers = list(dict.fromkeys(atena_nos))
    houses: Any
    if households is not None and set(numbers) <= set(households):
        houses = set(households.values())
    elif len(numbers) == 1:
        houses, households = Resident.objects.filter(atena_no=numbers[0]).values("household_no"), None
    else:
        households = households_of(numbers)
        houses = set(households.values())
    query = Q(scope=Block.Scope.PERSON, target_no__in=numbers) | Q(scope=Block.Scope.HOUSEHOLD, target_no__in=houses)
    rows = Block.objects.filter(query, released_at__isnull=True).select_related("measure").order_by("id")
    if process is not None:
        rows = rows.filter(process=process)
    found: dict[str, list[Block]] = {n: [] for n in numbers}
    for block in rows:
        for number in numbers:
            if _touches(block, number, households):
                found[number].append(block)
    return found


def _touches(block: Block, atena_no: str, households: Mapping[str, str] | None) -> bool:
    """Is this block (found for the persons asked) on this person or on their household?
    ``households`` None: one person, whose household was the sub-select — every household block
    found is theirs."""
    if block.scope == Block.Scope.PERSON:
        return block.target_no == atena_no
    return households is None or households.get(atena_no) == block.target_no


def blocks_touching(atena_no: str, process: str | None = None) -> list[Block]:
    return blocks_touching_many([atena_no], process)[atena_no]


def household_blocks(household_no: str, process: str) -> list[Block]:
    """Blocks not released for good on the household itself (a household-level block)."""
    return list(
        Block.objects.filter(
            scope=Block.Scope.HOUSEHOLD, target_no=household_no, process=process, released_at__isnull=True
        )
    )


def active_measures_of(atena_nos: Iterable[str]) -> dict[str, list[SupportMeasure]]:
    """Active measures (支援措置 and 仮支援措置) protecting each person."""
    numbers = list(dict.fromkeys(atena_nos))
    found: dict[str, list[SupportMeasure]] = {n: [] for n in numbers}
    rows = (
        SupportMeasure.objects.filter(state=SupportMeasure.State.ACTIVE, persons__atena_no__in=numbers)
        .prefetch_related("persons", "offenders")
        .distinct()
        .order_by("id")
    )
    for measure in rows:
        for person in measure.persons.all():
            if person.atena_no in found:
                found[person.atena_no].append(measure)
    return found


def protected_persons(atena_nos: Iterable[str]) -> set[str]:
    """Of these persons, those an active measure protects (``registry.hooks.protected_persons``)."""
    return {n for n, measures in active_measures_of(atena_nos).items() if measures}


def former_address_mode(atena_no: str) -> bool:
    """The protected person has moved out (their record is a 除票, or in the 除票DB): the
    measure continues as 前住所地 (3.4), protecting the 除票."""
    return former_address_modes([atena_no])[atena_no]


def former_address_modes(atena_nos: Iterable[str]) -> dict[str, bool]:
    """:func:`former_address_mode` for several persons.  A 転出 whose planned date has not
    come yet (転出予定) still counts as living here."""
    numbers = list(dict.fromkeys(atena_nos))
    if not numbers:
        return {}
    living = set(
        Resident.objects.filter(atena_no__in=numbers)
        .filter(Q(status=Status.CURRENT) | Q(planned_move_out_on__gt=timezone.localdate()))
        .values_list("atena_no", flat=True)
    )
    return {n: n not in living for n in numbers}


def offender_measures(
    measures: Iterable[SupportMeasure], requester_atena_no: str = "", requester_name: str = ""
) -> list[str]:
    """The measures among ``measures`` that name the requester as 加害者 (相手方): by 宛名番号,
    or by 氏名 (spaces ignored) when the requester has no record here."""
    number = requester_atena_no.strip()
    name = _bare(requester_name)
    found = []
    for measure in measures:
        for offender in measure.offenders.all():
            if (number and offender.atena_no == number) or (name and _bare(offender.name) == name):
                found.append(measure.measure_no)
                break
    return found


def _bare(text: str) -> str:
    return "".join(text.split())


def inspection_exclusions() -> tuple[set[str], set[str]]:
    """Who may not appear in a 閲覧 extract (9.5): the 宛名番号 of every person protected by an
    active 支援措置 (仮支援措置 included) or under an in-effect 閲覧 block, and the 世帯番号 of
    every household under one.  Both sets are small; the extract filters in memory."""
    persons = set(
        ProtectedPerson.objects.filter(measure__state=SupportMeasure.State.ACTIVE).values_list("atena_no", flat=True)
    )
    households: set[str] = set()
    now = timezone.now()
    for block in Block.objects.filter(process=Process.INSPECTION, released_at__isnull=True):
        if block.in_effect(now):
            (persons if block.scope == Block.Scope.PERSON else households).add(block.target_no)
    return persons, households
