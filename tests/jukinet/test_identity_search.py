"""本人確認情報検索 (assessment system 2, function 4; rules-and-vectors §6.8): the criteria rules
(氏名＋住所 or 氏名＋生年月日, 性別 only in addition, or a number with its capability), name
matching as in 住民検索, 消除 and 修正前 rows, the cap, masking and the access log."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from jumin.accounts.models import User
from jumin.accounts.principal import Principal
from jumin.audit.models import AccessLog
from jumin.core.errors import DomainError
from jumin.jukinet.identity_search import MASK_CODE, MASK_NUMBER, PURPOSE, search_identity
from jumin.jukinet.models import IdentityRecord
from jumin.jukinet.services import build_from_outbox
from jumin.search import variants
from tests.conftest import make_operator
from tests.registry.conftest import final, move_in_data, person

NUMBER = "123456789018"


@dataclass
class Town:
    ageo: IdentityRecord
    watanabe: IdentityRecord
    everyone: Principal  # 住民票コード and 個人番号 visible
    plain: Principal  # 住民記録の照会 only


@pytest.fixture
def town(counter: User, reviewer: User, key_dir: Path) -> Town:
    variants.load_package("辺邊邉")
    final("move_in", move_in_data(person(individual_number=NUMBER)), counter, reviewer)
    final(
        "move_in",
        move_in_data(
            person(
                surname="渡邊",
                given_name="花子",
                furigana_surname="ワタナベ",
                furigana_given_name="ハナコ",
                sex="2",
                birth="昭和57年2月3日",
                koseki_head="渡邊　花子",
            ),
            address={"address": "埼玉県上尾市原市1番地", "postcode": "3620021"},
        ),
        counter,
        reviewer,
    )
    build_from_outbox()
    current = IdentityRecord.objects.filter(superseded_at__isnull=True)
    # the reviewer's roles show 住民票コード and 個人番号; the counter's show neither
    return Town(
        ageo=current.get(name="上尾\u3000太郎"),
        watanabe=current.get(name="渡邊\u3000花子"),
        everyone=Principal(user=reviewer),
        plain=Principal(user=counter),
    )


# (criteria, who searches, expected 氏名 found or the stable error code)
CRITERIA: list[tuple[dict[str, Any], str, list[str] | str]] = [
    ({"name": "上尾", "birth": "S55.4.1"}, "plain", ["上尾\u3000太郎"]),
    ({"name": "上尾 太郎", "address": "上尾市本町"}, "plain", ["上尾\u3000太郎"]),
    ({"name": "アゲオ タロウ", "birth": "昭和55年4月1日"}, "plain", ["上尾\u3000太郎"]),
    ({"name": "あげお", "address": "上尾市"}, "plain", ["上尾\u3000太郎"]),
    ({"name": "渡辺 花子", "birth": "1982-02-03"}, "plain", ["渡邊\u3000花子"]),
    ({"name": "ワタナヘ", "address": "原市"}, "plain", ["渡邊\u3000花子"]),
    ({"name": "渡辺", "address": "上尾市", "birth": "S57.2.3"}, "plain", ["渡邊\u3000花子"]),
    ({"name": "渡辺", "birth": "S57.2.3", "sex": "女"}, "plain", ["渡邊\u3000花子"]),
    ({"name": "渡辺", "birth": "S57.2.3", "sex": "男"}, "plain", []),
    ({"name": "上尾", "birth": "S55.4.2"}, "plain", []),
    ({"individual_number": NUMBER}, "everyone", ["上尾\u3000太郎"]),
    ({"name": "上尾"}, "plain", "search.criteria_not_allowed"),
    ({"address": "上尾市", "birth": "S55.4.1"}, "plain", "search.criteria_not_allowed"),
    ({"name": "上尾", "sex": "男"}, "plain", "search.criteria_not_allowed"),
    ({"birth": "S55.4.1", "sex": "男"}, "plain", "search.criteria_not_allowed"),
    ({"name": "上尾", "birth": "S55.4.1", "atena_no": "1"}, "plain", "search.criteria_not_allowed"),
    ({"name": "上尾", "birth": "S55.4.1", "relationship": "世帯主"}, "plain", "search.criteria_not_allowed"),
    ({"resident_code": "1", "individual_number": NUMBER}, "everyone", "search.criteria_not_allowed"),
    ({}, "plain", "search.no_criteria"),
    ({"name": "上尾", "birth": "S55.4.1", "sex": "不明"}, "plain", "search.bad_sex"),
    ({"name": "上尾", "birth": "きのう"}, "plain", "search.bad_birth"),
    ({"individual_number": NUMBER}, "plain", "search.criterion_forbidden"),
    ({"resident_code": "12345678901"}, "plain", "search.criterion_forbidden"),
]


@pytest.mark.spec("7.1.1.1", partial=True)
@pytest.mark.parametrize(
    ("criteria", "who", "expected"), CRITERIA, ids=[json.dumps(c[0], ensure_ascii=False) for c in CRITERIA]
)
def test_criteria_rules(town: Town, criteria: dict[str, Any], who: str, expected: list[str] | str) -> None:
    principal = town.everyone if who == "everyone" else town.plain
    if isinstance(expected, str):
        with pytest.raises(DomainError) as caught:
            search_identity(principal, criteria)
        assert caught.value.code == expected
        assert NUMBER not in str(caught.value)
        log = AccessLog.objects.filter(purpose=PURPOSE).get()
        assert log.persons == [] and log.criteria["_outcome"] == expected
    else:
        result = search_identity(principal, criteria)
        assert sorted(h.name for h in result.hits) == sorted(expected)
        log = AccessLog.objects.filter(purpose=PURPOSE).get()
        assert log.criteria["_outcome"] == "ok" and log.result_count == len(expected)
        assert log.persons == [h.atena_no for h in result.hits]
    assert NUMBER not in json.dumps(AccessLog.objects.filter(purpose=PURPOSE).get().criteria, ensure_ascii=False)


def test_search_by_resident_code_and_masking(town: Town) -> None:
    code = town.ageo.resident_code
    shown = search_identity(town.everyone, {"resident_code": code}).hits
    assert [(h.resident_code, h.individual_number) for h in shown] == [(code, NUMBER)]
    log = AccessLog.objects.filter(purpose=PURPOSE).latest("id")
    assert log.criteria["resident_code"] == "（指定あり）" and code not in json.dumps(log.criteria)
    assert log.resident_code_shown and log.individual_number_shown

    masked = search_identity(town.plain, {"name": "上尾", "birth": "S55.4.1"}).hits
    assert [(h.resident_code, h.individual_number) for h in masked] == [(MASK_CODE, MASK_NUMBER)]
    log = AccessLog.objects.filter(purpose=PURPOSE).latest("id")
    assert not log.resident_code_shown and not log.individual_number_shown
    nobody = search_identity(town.plain, {"name": "渡辺", "birth": "S57.2.3"}).hits
    assert nobody[0].individual_number == "", "no number recorded: nothing to mask"


def test_removed_and_superseded_records(town: Town, counter: User, reviewer: User) -> None:
    destination = {"address": {"address": "埼玉県上尾市原市2番地", "postcode": "3620021"}}
    final(
        "relocation",
        {"atena_nos": [town.ageo.atena_no], "effective": "R8.11.25", "destination": destination},
        counter,
        reviewer,
    )
    final("death", {"atena_nos": [town.watanabe.atena_no], "effective": "R8.11.26"}, counter, reviewer)
    build_from_outbox()

    old_address = {"name": "上尾", "address": "本町"}
    assert search_identity(town.plain, old_address).hits == []
    history = search_identity(town.plain, old_address, include_superseded=True).hits
    assert [h.superseded for h in history] == [True] and history[0].superseded_at is not None
    now = search_identity(town.plain, {"name": "上尾", "address": "原市2番地"}).hits
    assert [(h.superseded, h.record_status) for h in now] == [(False, "現存")]

    removed = search_identity(town.plain, {"name": "渡辺", "birth": "S57.2.3"}).hits
    assert [(h.record_status, h.superseded) for h in removed] == [("消除", False)]
    log = AccessLog.objects.filter(purpose=PURPOSE).latest("id")
    assert log.criteria["_superseded"] is False


def test_too_many_results_must_be_narrowed(town: Town, counter: User, reviewer: User, settings: Any) -> None:
    final(
        "move_in",
        move_in_data(person(given_name="次郎", furigana_given_name="ジロウ", birth="平成2年5月6日")),
        counter,
        reviewer,
    )
    build_from_outbox()
    settings.JUMIN_SEARCH_MAX_RESULTS = 1
    with pytest.raises(DomainError) as caught:
        search_identity(town.plain, {"name": "上尾", "address": "上尾市"})
    assert caught.value.code == "search.too_many" and "絞り込んで" in caught.value.message
    log = AccessLog.objects.filter(purpose=PURPOSE).latest("id")
    assert log.persons == [] and log.criteria["_outcome"] == "search.too_many"
    assert search_identity(town.plain, {"name": "上尾 次郎", "address": "上尾市"}).count == 1
    settings.JUMIN_SEARCH_MAX_RESULTS = 2
    assert search_identity(town.plain, {"name": "上尾", "address": "上尾市"}).count == 2


def test_an_operator_without_the_capability_cannot_search(db: None) -> None:
    with pytest.raises(DomainError) as caught:
        search_identity(Principal(user=make_operator("norole", "権限 なし")), {"name": "上尾", "birth": "S55.4.1"})
    assert caught.value.code == "auth.forbidden"
    assert not AccessLog.objects.filter(purpose=PURPOSE).exists()


@pytest.mark.spec("3.1")
def test_a_person_under_an_inquiry_block_keeps_the_row_with_only_the_atena_no(town: Town) -> None:
    from jumin.protection.services import set_block

    officer = make_operator("shien", "支援 責任者", roles=("支援措置責任者",))
    set_block(
        scope="person",
        target_no=town.watanabe.atena_no,
        process="inquiry",
        level="error",
        reason="照会抑止",
        by=officer,
    )
    (hit,) = search_identity(town.everyone, {"name": "渡辺 花子", "birth": "S57.2.3"}).hits
    assert hit.atena_no == town.watanabe.atena_no and hit.inquiry_blocked
    assert (hit.name, hit.birth_text, hit.address, hit.resident_code) == ("", "", "", "")
    (other,) = search_identity(town.everyone, {"name": "上尾", "birth": "S55.4.1"}).hits
    assert not other.inquiry_blocked and other.name == "上尾\u3000太郎"
