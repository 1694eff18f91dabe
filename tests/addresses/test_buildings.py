"""方書 master (spec 1.3.4) and the 方書 suggested from an entered 番地 (spec 4.0.7)."""

from __future__ import annotations

import inspect

import pytest

from jumin.addresses import queries
from jumin.addresses.models import Building, Town
from jumin.addresses.services import add_building, rename_building, retire_building, update_town
from jumin.core.errors import DomainError


@pytest.fixture
def higashi(towns: dict[str, Town]) -> Town:
    """東町: 丁目 and 住居表示."""
    town = towns["東町"]
    add_building(town, "3丁目2番1号", "アズマハイツ", "アズマハイツ")
    add_building(town, "3-2-10", "コーポ東", "コーポアズマ")
    add_building(town, "２－９", "東町レジデンス", chome=3)
    add_building(town, "三丁目15番1号", "グランド東")
    add_building(town, "2丁目2番1号", "二丁目荘")
    return town


@pytest.fixture
def azeyoshi(towns: dict[str, Town]) -> Town:
    """畔吉: no 丁目, 地番."""
    town = towns["畔吉"]
    add_building(town, "1234番地の5", "畔吉荘", "アゼヨシソウ")
    add_building(town, "1234-10", "メゾン畔吉")
    add_building(town, "1234", "畔吉第一ビル")
    add_building(town, "1235番地", "隣の家")
    return town


def _names(buildings: list[Building]) -> list[str]:
    return [building.name for building in buildings]


@pytest.mark.spec("1.3.4", partial=True)
def test_a_building_keeps_canonical_banchi_and_numeric_order(higashi: Town) -> None:
    building = Building.objects.get(name="コーポ東")
    assert (building.chome, building.banchi_text, building.banchi_kind) == (3, "2番10号", "住居表示")
    assert building.address_text == "三丁目2番10号"
    assert str(building) == "東町三丁目2番10号 コーポ東"
    assert building.banchi_sort == "003" + "0" + "000002" + "000010"
    assert _names(list(Building.objects.filter(town=higashi))) == [
        "二丁目荘",
        "アズマハイツ",
        "東町レジデンス",
        "コーポ東",
        "グランド東",
    ]


@pytest.mark.spec("4.0.7", partial=True)
def test_buildings_are_suggested_from_the_entered_banchi(higashi: Town) -> None:
    assert _names(queries.suggest_buildings(higashi, "3丁目2番1号")) == ["アズマハイツ"]
    assert _names(queries.suggest_buildings(higashi, "3-2-1")) == ["アズマハイツ"]
    assert _names(queries.suggest_buildings(higashi, "2-1", chome=3)) == ["アズマハイツ"]
    assert _names(queries.suggest_buildings(higashi, "三丁目2番")) == ["アズマハイツ", "東町レジデンス", "コーポ東"]
    assert _names(queries.suggest_buildings(higashi, "2-1", chome=2)) == ["二丁目荘"]
    assert queries.suggest_buildings(higashi, "3丁目2番2号") == []


@pytest.mark.spec("4.0.7", partial=True)
def test_lot_numbers_suggest_their_buildings(azeyoshi: Town) -> None:
    assert _names(queries.suggest_buildings(azeyoshi, "1234番地")) == ["畔吉第一ビル", "畔吉荘", "メゾン畔吉"]
    assert _names(queries.suggest_buildings(azeyoshi, "1234-5")) == ["畔吉荘"]
    assert _names(queries.suggest_buildings(azeyoshi, "１２３５")) == ["隣の家"]
    assert queries.suggest_buildings(azeyoshi, "123") == []  # 123番地, not a text prefix of 1234


def test_retired_and_renamed_buildings(azeyoshi: Town) -> None:
    building = Building.objects.get(name="畔吉荘")
    renamed = rename_building(building, "畔吉荘（新館）", "アゼヨシソウシンカン")
    assert (renamed.name, renamed.kana) == ("畔吉荘（新館）", "アゼヨシソウシンカン")
    retire_building(renamed)
    assert _names(queries.suggest_buildings(azeyoshi, "1234-5")) == []
    assert Building.objects.filter(pk=building.pk, is_active=False).exists()


@pytest.mark.parametrize(
    ("town_name", "banchi", "chome", "code"),
    [
        ("畔吉", "1丁目2番3号", None, "town.no_chome"),
        ("畔吉", "2番1号", 1, "town.no_chome"),
        ("東町", "3丁目2番1号", 2, "banchi.chome_mismatch"),
        ("東町", "東町3丁目", None, "banchi.bad_format"),
        ("東町", "", None, "banchi.empty"),
    ],
)
def test_bad_banchi_are_refused(
    towns: dict[str, Town], town_name: str, banchi: str, chome: int | None, code: str
) -> None:
    with pytest.raises(DomainError) as info:
        add_building(towns[town_name], banchi, "ビル", chome=chome)
    assert info.value.code == code
    with pytest.raises(DomainError):
        queries.suggest_buildings(towns[town_name], banchi, chome=chome)


def test_duplicates_and_inactive_towns_are_refused(higashi: Town, towns: dict[str, Town]) -> None:
    with pytest.raises(DomainError) as info:
        add_building(higashi, "3-2-1", "アズマハイツ")
    assert info.value.code == "building.duplicate"
    annex = add_building(higashi, "3-2-1", "アズマハイツ別館")
    with pytest.raises(DomainError) as info:
        rename_building(annex, "アズマハイツ")
    assert info.value.code == "building.duplicate"
    assert rename_building(Building.objects.get(name="コーポ東"), "アズマハイツ").banchi_text == "2番10号"
    with pytest.raises(DomainError) as info:
        add_building(higashi, "3-2-1", "　")
    assert info.value.code == "address.name_required"
    with pytest.raises(DomainError) as info:
        add_building(higashi, "3-2-1", "新ビル", "しんびる")
    assert info.value.code == "address.bad_kana"
    update_town(towns["平方"], is_active=False)
    with pytest.raises(DomainError) as info:
        add_building(towns["平方"], "100番地", "平方ビル")
    assert info.value.code == "town.inactive"


@pytest.mark.spec("4.0.7/X")
def test_there_is_no_way_to_look_up_a_banchi_from_a_building_name() -> None:
    """4.0.7 X: suggesting 地番 from 方書 must not be built.  The only building query takes
    a 番地, and no index could serve a lookup by building name."""
    building_queries = {
        name
        for name, function in inspect.getmembers(queries, inspect.isfunction)
        if function.__module__ == queries.__name__ and not name.startswith("_") and "building" in name
    }
    assert building_queries == {"suggest_buildings"}
    assert list(inspect.signature(queries.suggest_buildings).parameters)[:2] == ["town", "banchi"]
    indexed = {field for index in Building._meta.indexes for field in index.fields}
    assert indexed.isdisjoint({"name", "kana"})
    assert not any(Building._meta.get_field(name).db_index for name in ("name", "kana"))
