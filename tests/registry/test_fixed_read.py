"""FixedRead (jumin.conf.db, issue 24): a hot read compiled by the ORM once, run raw — it must
give exactly what the ORM's own query gives, and refuse what it cannot keep."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.db.models import Exists, F, OuterRef
from django.db.models.functions import Upper

from jumin.conf.db import FixedRead
from jumin.registry.models import Memo, Resident, ResidentHistory
from tests.registry.conftest import final, move_in_data, person

pytestmark = pytest.mark.django_db


def _fields(row: Any) -> dict[str, Any]:
    return {f.attname: getattr(row, f.attname) for f in type(row)._meta.concrete_fields}


def test_the_same_rows_as_the_orm_with_their_annotations(counter: Any, reviewer: Any) -> None:
    final(
        "move_in",
        move_in_data(person(given_name="一郎"), person(given_name="二郎", relationship="子")),
        counter,
        reviewer,
    )
    first, second = Resident.objects.order_by("atena_no")

    def build(atena_no: str) -> Any:
        return (
            Resident.objects.filter(atena_no=atena_no)
            .annotate(memo_exists=Exists(Memo.objects.filter(atena_no=OuterRef("atena_no"))), key=F("name_key"))
            .order_by("pk")[:1]
        )

    read = FixedRead(build)
    for resident in (first, second):
        orm = build(resident.atena_no)[0]
        fixed = read(resident.atena_no)
        assert len(fixed) == 1
        assert _fields(fixed[0]) == _fields(orm)
        assert (fixed[0].memo_exists, fixed[0].key) == (orm.memo_exists, orm.key) == (False, resident.name_key)
    assert read("0000000000") == []
    history = FixedRead(lambda atena_no: ResidentHistory.objects.filter(atena_no=atena_no).order_by("history_no"))
    rows = history(first.atena_no)
    assert [_fields(r) for r in rows] == [
        _fields(r) for r in ResidentHistory.objects.filter(atena_no=first.atena_no).order_by("history_no")
    ]


def test_compiled_once_per_variant() -> None:
    built: list[str] = []

    def build(atena_no: str) -> Any:
        built.append(atena_no)
        return Resident.objects.filter(atena_no=atena_no)

    read = FixedRead(build)
    read("1", variant="a")
    read("2", variant="a")
    read("3", variant="b")
    assert len(built) == 2 and connection.vendor  # the values given are never what is compiled


def test_what_it_cannot_keep_is_refused() -> None:
    with pytest.raises(ImproperlyConfigured):
        FixedRead(lambda no: ResidentHistory.objects.filter(atena_no=no).select_related("movement"))("1")
    with pytest.raises(ImproperlyConfigured):  # the value does not reach the statement as it was given
        FixedRead(lambda no: Resident.objects.annotate(up=Upper("atena_no")).filter(atena_no=no.upper()))("1")
