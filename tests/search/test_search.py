"""Search (standard spec 2.1.1–2.1.3): fuzzy kana, variant kanji, past data, criteria rules,
access log and search history.  Table-driven; every case runs on SQLite and PostgreSQL."""

from __future__ import annotations

import contextlib
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from jumin.accounts.models import User
from jumin.accounts.principal import Principal
from jumin.audit.models import AccessLog, OperationLog
from jumin.audit.services import access_log_batch
from jumin.core.errors import DomainError
from jumin.search import criteria as rules
from jumin.search import matching, services, variants
from jumin.search.models import SearchHistory, VariantKanji
from jumin.search.queries import search
from tests.registry.conftest import person
from tests.search.conftest import NUMBER, City, _one

pytestmark = pytest.mark.django_db

WATANABE = ("昭和55年4月1日", "watanabe")


def _found(user: User, criteria: dict[str, Any], **options: Any) -> set[str]:
    return {h.card.atena_no for h in search(Principal(user=user), criteria, **options).hits}


def _who(city: City, name: str) -> str:
    return city.old if name == "old" else getattr(city, name).atena_no


# -- 2.1.2 fuzzy kana ---------------------------------------------------------------------------

FUZZY = [
    # (criteria, mode, expected person or None)
    ({"name": "ワタナベ　タロウ", "birth": "S55.4.1"}, "exact", "watanabe"),
    ({"name": "わたなべたろう", "birth": "S55.4.1"}, "exact", "watanabe"),  # hiragana, no space
    ({"name": "ﾜﾀﾅﾍﾞ ﾀﾛｳ", "birth": "S55.4.1"}, "exact", "watanabe"),  # half-width
    ({"name": "ワタナヘ タロオ", "birth": "S55.4.1"}, "exact", "watanabe"),  # 濁音, オ段+ウ
    ({"name": "ワタナーベ－タロウ", "birth": "S55.4.1"}, "exact", "watanabe"),  # 長音, full-width hyphen
    ({"name": "ワタナベ", "birth": "S55.4.1"}, "prefix", "watanabe"),  # surname only
    ({"name": "ワタナベ", "birth": "S55.4.1"}, "exact", None),
    ({"name": "タナベ", "birth": "S55.4.1"}, "partial", "watanabe"),
    ({"name": "タカハシ シヨオヂ", "birth": "S40.1.1"}, "exact", "takahashi"),  # ョ=ヨ, ヂ=ジ
    ({"given_name": "しょうじ", "birth": "S40.1.1"}, "exact", "takahashi"),  # 名のみ
    ({"given_name": "シヨウシ", "birth": "S40.1.1"}, "exact", "takahashi"),
    ({"name": "サイトー", "address": "原市"}, "prefix", "saito"),
    ({"name": "サイトウ ハナコ", "birth": "1990-02-02"}, "exact", "saito"),  # 西暦
    ({"name": "サイトウ ハナコ", "birth": "H2.2.2"}, "exact", "saito"),  # 和暦
    ({"name": "サイトウ ハナコ", "birth": "H2.2.3"}, "exact", None),
    ({"name": "nguyen van an", "birth": "1995-03-01"}, "exact", "foreigner"),  # alphabet
]


@pytest.mark.spec("2.1.2", partial=True)
@pytest.mark.parametrize(("criteria", "mode", "expected"), FUZZY)
def test_fuzzy_kana_rules(city: City, counter: User, criteria: dict[str, str], mode: str, expected: str | None) -> None:
    found = _found(counter, criteria, mode=mode)
    assert found == ({_who(city, expected)} if expected else set())


# -- 2.1.2 variant kanji ------------------------------------------------------------------------

VARIANTS = [
    ({"name": "渡辺 太郎", "birth": "S55.4.1"}, "watanabe"),
    ({"name": "渡邉太郎", "birth": "S55.4.1"}, "watanabe"),  # no space between 氏 and 名
    ({"name": "渡邊", "birth": "S55.4.1"}, "watanabe"),  # 氏 only
    ({"name": "斎藤 花子", "birth": "H2.2.2"}, "saito"),
    ({"name": "斉藤 花子", "birth": "H2.2.2"}, "saito"),  # 斉=齊=斎=齋, closed transitively (core.variants)
    ({"name": "斎藤", "address": "原市2番地"}, "saito"),
    ({"name": "高橋 正二", "birth": "S40.1.1"}, "takahashi"),
    ({"name": "濱﨑 三郎", "birth": "S30.3.3"}, "old"),  # both variants, in the 除票DB
    ({"name": "渡部 太郎", "birth": "S55.4.1"}, None),
]


@pytest.mark.spec("2.1.2", partial=True)
@pytest.mark.parametrize(("criteria", "expected"), VARIANTS)
def test_variant_kanji(city: City, counter: User, criteria: dict[str, str], expected: str | None) -> None:
    assert _found(counter, criteria) == ({_who(city, expected)} if expected else set())


SAITO = "斉齊斎齋"


@pytest.fixture
def saitos(counter: User, reviewer: User) -> dict[str, str]:
    """Four 斉藤 spelt with each variant, and 吉田 / 𠮷田: surname -> 宛名番号."""
    variants.load_package(SAITO + "吉")
    variants.invalidate()
    made = {}
    for n, surname in enumerate([f"{c}藤" for c in SAITO] + ["吉田", "\U00020bb7田"]):
        data = person(surname=surname, given_name="和子", furigana_surname="サイトウ", birth="昭和60年6月6日", sex="2")
        made[surname] = _one(data, counter, reviewer, address={"address": f"埼玉県上尾市本町{n + 1}番地"}).atena_no
    return made


@pytest.mark.spec("2.1.2")
@pytest.mark.parametrize("typed", list(SAITO))
@pytest.mark.parametrize("stored", list(SAITO))
def test_every_saito_finds_every_saito(saitos: dict[str, str], counter: User, typed: str, stored: str) -> None:
    """All 16 combinations of the 斉藤 variants find each other, though the public data links
    斉 only to 齊 and 斎 only to 齋."""
    assert saitos[f"{stored}藤"] in _found(counter, {"name": f"{typed}藤 和子", "birth": "S60.6.6"}, mode="exact")


@pytest.mark.spec("2.1.2")
@pytest.mark.parametrize(("typed", "stored"), [("吉田", "\U00020bb7田"), ("\U00020bb7田", "吉田")])
def test_yoshida_finds_tsuchiyoshi(saitos: dict[str, str], counter: User, typed: str, stored: str) -> None:
    found = _found(counter, {"name": f"{typed} 和子", "birth": "S60.6.6"}, mode="exact")
    assert found == {saitos["吉田"], saitos["\U00020bb7田"]}


@pytest.mark.spec("2.1.2", partial=True)
def test_staff_confirmation_of_a_public_pair_closes_it(saitos: dict[str, str], reviewer: User) -> None:
    """濱 is linked to 頻 in the public data only one step; a staff confirmation makes the pair
    a staff pair, closed with the built-in groups."""
    variants.load_package("頻")
    assert "浜" not in variants.variants_of("頻")
    services.add_variant(Principal(user=reviewer), "濱", "頻", "確認済み")
    assert set(VariantKanji.objects.filter(char__in="濱頻", variant__in="濱頻").values_list("source", flat=True)) == {
        "staff"
    }
    assert "浜" in variants.variants_of("頻") and "頻" in variants.variants_of("濵")
    with pytest.raises(DomainError) as twice:
        services.add_variant(Principal(user=reviewer), "頻", "濱")
    assert twice.value.code == "search.variant_exists"


@pytest.mark.spec("2.1.2", partial=True)
def test_staff_add_a_variant_and_it_is_logged(city: City, counter: User, reviewer: User) -> None:
    criteria = {"name": "渡辺 太朗", "birth": "S55.4.1"}
    assert _found(counter, criteria) == set()
    with pytest.raises(DomainError) as refused:
        services.add_variant(Principal(user=counter), "郎", "朗")
    assert refused.value.code == "auth.forbidden"
    services.add_variant(Principal(user=reviewer), "郎", "朗", "人名の誤記が多い")
    assert _found(counter, criteria) == {city.watanabe.atena_no}
    assert VariantKanji.objects.filter(char="朗", variant="郎", source="staff").exists()
    assert OperationLog.objects.filter(action="search.variant_add").exists()
    with pytest.raises(DomainError) as twice:
        services.add_variant(Principal(user=reviewer), "郎", "朗")
    assert twice.value.code == "search.variant_exists"


@pytest.mark.spec("2.1.2", partial=True)
def test_variant_table_from_the_package(capsys: pytest.CaptureFixture[str]) -> None:
    call_command("load_variants")
    assert "追加" in capsys.readouterr().out
    assert {"邊", "邉"} <= variants.variants_of("辺")
    assert "浜" in variants.variants_of("濱") and "髙" in variants.variants_of("高")
    count = VariantKanji.objects.count()
    assert count > 20_000
    call_command("load_variants", "--add", "郎", "朗")
    assert VariantKanji.objects.count() == count + 2
    call_command("load_variants")  # a refresh keeps staff entries
    assert VariantKanji.objects.filter(source="staff").count() == 2
    assert variants.forms("渡辺")[0] == "渡辺" and "渡邊" in variants.forms("渡辺")


# -- 2.1.3 past names, past addresses, 除票 and the 除票DB --------------------------------------

PAST = [
    ({"name": "大石 次郎", "birth": "S50.5.5"}, "oishi", True),  # past name (kanji)
    ({"name": "オオイシ ジロウ", "birth": "S50.5.5"}, "oishi", True),  # past name (kana)
    ({"name": "小石 次郎", "birth": "S50.5.5"}, "oishi", False),  # current name
    ({"name": "大石 次郎", "address": "本町三丁目"}, "oishi", True),  # past name + address
    ({"name": "オオイシ ジロウ", "address": "本町三丁目"}, "oishi", True),  # past name (kana), no 生年月日
    ({"name": "おおいし", "address": "本町三丁目"}, "oishi", True),  # 前方一致 on the past reading
    ({"name": "渡辺 太郎", "address": "本町三丁目"}, "watanabe", True),  # past address
    ({"name": "渡辺 太郎", "address": "原市1番地"}, "watanabe", False),  # current address
    ({"name": "ハマサキ サブロウ", "birth": "S30.3.3"}, "old", False),  # 除票DB
    ({"name": "浜崎", "birth": "S30.3.3", "status": "removed"}, "old", False),
    ({"name": "浜崎", "birth": "S30.3.3", "status": "current"}, None, False),
    ({"name": "浜崎", "address": "本町", "removal_reason": "転出"}, "old", False),
]


@pytest.mark.spec("2.1.3", partial=True)
@pytest.mark.parametrize(("criteria", "expected", "past"), PAST)
def test_past_names_addresses_and_removed_records(
    city: City, counter: User, criteria: dict[str, str], expected: str | None, past: bool
) -> None:
    hits = search(Principal(user=counter), criteria).hits
    assert {h.card.atena_no for h in hits} == ({_who(city, expected)} if expected else set())
    if expected:
        assert hits[0].past is past
        assert hits[0].archived is (expected == "old")


@pytest.mark.spec("2.1.2", partial=True)
@pytest.mark.parametrize(
    ("criteria", "expected"),
    [(c, e) for c, e in VARIANTS] + [(c, e) for c, e, _ in PAST if "status" not in c],
)
def test_spellings_narrowed_to_those_held_find_the_same_persons(
    city: City, counter: User, criteria: dict[str, str], expected: str | None
) -> None:
    """Issue 24: with every (氏, 名) pair probe narrowed first (on PostgreSQL: only the 氏
    spellings each table holds — current, history, 除票DB and its history), the variant and
    past-record cases find exactly the same persons."""
    with CaptureQueriesContext(connection) as statements:
        found = _found(counter, criteria)
    assert found == ({_who(city, expected)} if expected else set())
    narrowed = any("unnest" in s["sql"] for s in statements.captured_queries)
    if connection.vendor != "postgresql":
        assert not narrowed  # a plain IN elsewhere
    elif criteria["name"] in {"渡辺 太郎", "斎藤 花子", "濱﨑 三郎"}:  # 氏 with variants: narrowed
        assert narrowed


def _statement_texts(user: User, criteria: dict[str, str]) -> list[str]:
    texts: list[str] = []

    def capture(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        texts.append(sql)  # the text sent, parameters apart
        return execute(sql, params, many, context)

    with connection.execute_wrapper(capture):
        search(Principal(user=user), criteria)
    return [text for text in texts if "registry_" in text]


def test_a_name_search_keeps_one_statement_text_whatever_its_spellings(city: City, counter: User) -> None:
    """Issue 24: the spellings of a name go as one array parameter on PostgreSQL, so that the
    statement's text — what a prepared statement is keyed by — does not depend on how many
    variants the name has (渡辺 and 斎藤 have different numbers); elsewhere a plain IN of the values."""
    many = matching.forms("渡辺")
    few = matching.forms("斎藤")
    assert len(many) != len(few)
    with_many = _statement_texts(counter, {"name": "渡辺 太郎", "birth": "S55.4.1"})
    with_few = _statement_texts(counter, {"name": "斎藤 花子", "birth": "H2.2.2"})
    if connection.vendor == "postgresql":
        assert with_many == with_few
        assert all("IN (%s" not in text for text in with_many)  # no list of placeholders
    else:
        assert with_many != with_few


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's prepared statements")
def test_a_search_run_again_runs_prepared(city: City, counter: User) -> None:
    """Issue 24: on PostgreSQL parameters are bound by the server and a statement run again on
    a connection is prepared (JUMIN_DB_PREPARE_THRESHOLD), so it is planned once rather than on
    every search; the results do not change."""
    first = _found(counter, {"name": "渡辺 太郎", "birth": "S55.4.1"})
    for _ in range(3):
        assert _found(counter, {"name": "渡辺 太郎", "birth": "S55.4.1"}) == first == {city.watanabe.atena_no}
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        prepared = [row[0] for row in cursor.fetchall()]
    assert any("registry_resident" in text and "ANY(" in text for text in prepared)


@pytest.mark.spec("2.1.3", partial=True)
def test_past_data_can_be_left_out(city: City, counter: User) -> None:
    assert _found(counter, {"name": "大石 次郎", "birth": "S50.5.5"}, include_past=False) == set()


# -- 2.1.3 other fields -------------------------------------------------------------------------

FIELDS = [
    ({"atena_no": "watanabe"}, "counter", "watanabe"),
    ({"household_no": "saito"}, "counter", "saito"),
    ({"residence_card_no": "ab12345678cd"}, "counter", "foreigner"),
    ({"special_permanent_cert_no": "AB1234567890"}, "counter", None),
    ({"name": "髙橋", "birth": "S40.1.1", "sex": "1", "relationship": "世帯主"}, "counter", "takahashi"),
    ({"name": "髙橋", "birth": "S40.1.1", "sex": "2"}, "counter", None),
    ({"given_name": "花子", "address_code": "", "address": "原市"}, "counter", "saito"),
    ({"name": "渡辺", "address": "原市", "empty": ["katagaki"]}, "counter", "watanabe"),
    ({"name": "ワタナベ", "birth": "S55.4.1", "empty": ["furigana"]}, "counter", None),
    ({"name": "グエン", "birth": "1995-03-01", "empty": ["furigana"]}, "counter", None),
    ({"name": "NGUYEN", "birth": "1995-03-01", "empty": ["furigana"]}, "counter", "foreigner"),
]


@pytest.mark.spec("2.1.3", partial=True)
@pytest.mark.parametrize(("criteria", "screen", "expected"), FIELDS)
def test_search_fields(city: City, counter: User, criteria: dict[str, Any], screen: str, expected: str | None) -> None:
    criteria = dict(criteria)
    for key in ("atena_no", "household_no"):
        if key in criteria:
            criteria[key] = getattr(getattr(city, criteria[key]), key)
    assert _found(counter, criteria, screen=screen) == ({_who(city, expected)} if expected else set())


# -- criteria rules (assessment: 4情報 search needs 氏名+住所 or 氏名+生年月日, or a number) ------

ALL = {"individual_number": True, "resident_code": True}.get
NONE = {}.get

RULES = [
    ("counter", {"name": "渡辺"}, ALL, "search.criteria_not_allowed"),
    ("counter", {"birth": "S55.4.1"}, ALL, "search.criteria_not_allowed"),
    ("counter", {"address": "本町", "birth": "S55.4.1"}, ALL, "search.criteria_not_allowed"),
    ("counter", {"sex": "1", "relationship": "子"}, ALL, "search.criteria_not_allowed"),
    ("counter", {"empty": ["katagaki"]}, ALL, "search.criteria_not_allowed"),
    ("counter", {}, ALL, "search.no_criteria"),
    ("counter", {"name": "渡辺", "birth": "S55.4.1"}, ALL, None),
    ("counter", {"furigana": "x", "name": "渡辺", "address": "本町"}, ALL, None),  # unknown keys dropped
    ("counter", {"given_name": "タロウ", "birth": "S55.4.1", "sex": "1"}, ALL, None),
    ("counter", {"atena_no": "1"}, NONE, None),
    ("counter", {"resident_code": "1"}, NONE, "search.criterion_forbidden"),
    ("counter", {"individual_number": "1"}, NONE, "search.criterion_forbidden"),
    (
        "counter",
        {"name": "渡辺", "birth": "S55.4.1", "empty": ["individual_number"]},
        NONE,
        "search.criterion_forbidden",
    ),
    ("counter", {"individual_number": "1"}, ALL, None),
    ("identity", {"name": "渡辺", "birth": "S55.4.1"}, ALL, None),
    ("identity", {"name": "渡辺", "address": "本町"}, ALL, None),
    ("identity", {"resident_code": "1"}, ALL, None),
    ("identity", {"atena_no": "1"}, ALL, "search.criteria_not_allowed"),
    ("identity", {"name": "渡辺", "birth": "S55.4.1", "relationship": "子"}, ALL, "search.criteria_not_allowed"),
    ("identity", {"resident_code": "1"}, NONE, "search.criterion_forbidden"),
    ("nowhere", {"atena_no": "1"}, ALL, "search.unknown_screen"),
]


@pytest.mark.spec("2.1.3", partial=True)
@pytest.mark.parametrize(("screen", "raw", "sees", "code"), RULES)
def test_criteria_rules(screen: str, raw: dict[str, Any], sees: Any, code: str | None) -> None:
    criteria = rules.clean(raw)
    if code is None:
        assert rules.check(screen, criteria, lambda f: bool(sees(f)))
        return
    with pytest.raises(DomainError) as refused:
        rules.check(screen, criteria, lambda f: bool(sees(f)))
    assert refused.value.code == code
    assert refused.value.message  # Japanese, for the counter


def test_refusal_message_lists_what_is_allowed() -> None:
    with pytest.raises(DomainError) as refused:
        rules.check("identity", {"birth": "S55.4.1"}, ALL)
    assert "氏名＋住所、氏名＋生年月日、氏名＋住所＋生年月日、住民票コード、個人番号" in refused.value.message


@pytest.mark.spec("2.1.3", partial=True)
def test_numbers_need_the_capability_and_are_never_logged(city: City, counter: User, reviewer: User) -> None:
    with pytest.raises(DomainError) as refused:
        search(Principal(user=counter), {"individual_number": NUMBER})
    assert refused.value.code == "search.criterion_forbidden"
    found = search(Principal(user=reviewer), {"individual_number": NUMBER})
    assert [h.card.atena_no for h in found.hits] == [city.watanabe.atena_no]
    assert found.hits[0].card.values["individual_number"] == NUMBER
    code = city.watanabe.resident_code
    assert code and _found(reviewer, {"resident_code": code}) == {city.watanabe.atena_no}
    log = AccessLog.objects.filter(purpose="search.counter").latest("id")
    assert log.criteria["resident_code"] == "（指定あり）" and code not in str(log.criteria)
    assert log.persons == [city.watanabe.atena_no] and log.resident_code_shown
    for entry in SearchHistory.objects.filter(user=reviewer):
        assert NUMBER not in str(entry.criteria) and code not in str(entry.criteria)
    # the clerk sees the same person masked
    card = search(Principal(user=counter), {"name": "渡辺", "birth": "S55.4.1"}).hits[0].card
    assert card.values["individual_number"] == "************" and "resident_code" in card.masked


@pytest.mark.spec("2.1.3", partial=True)
def test_broad_results_are_capped_and_nothing_is_shown(city: City, counter: User, settings: Any) -> None:
    settings.JUMIN_SEARCH_MAX_RESULTS = 1
    with pytest.raises(DomainError) as refused:
        search(Principal(user=counter), {"name": "サ", "address": "上尾市"}, mode="partial")
    assert refused.value.code == "search.too_many" and "絞り込んで" in refused.value.message
    log = AccessLog.objects.filter(purpose="search.counter").latest("id")
    assert log.persons == [] and log.result_count == 0


def test_unreadable_birth_date(city: City, counter: User) -> None:
    with pytest.raises(DomainError) as refused:
        search(Principal(user=counter), {"name": "渡辺", "birth": "むかし"})
    assert refused.value.code == "search.bad_birth"


@pytest.mark.spec("2.1.1")
@pytest.mark.parametrize("in_a_request", [False, True])
def test_the_history_row_is_written_with_the_log_row(city: City, counter: User, in_a_request: bool) -> None:
    """Issue 24: the operator's history row goes into the same statement as the access-log row
    on PostgreSQL — also inside a request, whose other reads wait for its end — and its id is
    known at once."""
    batch = access_log_batch() if in_a_request else contextlib.nullcontext()
    with CaptureQueriesContext(connection) as statements, batch:
        result = search(Principal(user=counter), {"name": "渡辺 太郎", "birth": "S55.4.1"})
        assert result.history_id is not None
    saved = SearchHistory.objects.get(pk=result.history_id)
    log = AccessLog.objects.filter(purpose="search.counter").latest("id")
    assert saved.result_count == log.result_count == 1 and saved.user == counter
    assert saved.criteria == log.criteria and saved.outcome == "ok"
    writes = [s["sql"] for s in statements.captured_queries if '"search_searchhistory"' in s["sql"]]
    assert len(writes) == 1
    assert ('"audit_accesslog"' in writes[0]) is (connection.vendor == "postgresql")


@pytest.mark.spec("2.2.4", partial=True)
def test_nobody_protected_among_those_found_needs_no_second_look_up(city: City, counter: User) -> None:
    """Issue 24: whether a measure or a block can touch a person found is read with the persons
    (one statement); only when one can are the marks and the 照会抑止 decisions looked up."""
    with CaptureQueriesContext(connection) as statements:
        assert _found(counter, {"name": "渡辺 太郎", "birth": "S55.4.1"}) == {city.watanabe.atena_no}
    protection = [s["sql"] for s in statements.captured_queries if "protection_" in s["sql"]]
    assert len(protection) == 1 and '"registry_resident"' in protection[0]


def test_search_needs_the_view_capability(city: City, db: None) -> None:
    from tests.conftest import make_operator

    nobody = make_operator("nobody", "権限 なし")
    with pytest.raises(DomainError) as refused:
        search(Principal(user=nobody), {"name": "渡辺", "birth": "S55.4.1"})
    assert refused.value.code == "auth.forbidden"


# -- access log and search history (2.1.1) ------------------------------------------------------


@pytest.mark.spec("2.1.1")
def test_every_search_is_logged_and_kept_in_the_operators_history(city: City, counter: User, reviewer: User) -> None:
    principal = Principal(user=counter)
    result = search(principal, {"name": "渡辺 太郎", "birth": "S55.4.1"}, mode="exact")
    log = AccessLog.objects.filter(purpose="search.counter").latest("id")
    assert log.persons == [city.watanabe.atena_no] and log.result_count == 1 and log.action == "search"
    assert log.criteria["name"] == "渡辺 太郎" and log.criteria["_mode"] == "exact"
    with pytest.raises(DomainError):
        search(principal, {"name": "渡辺"})
    mine = list(SearchHistory.objects.filter(user=counter))
    assert [h.outcome for h in mine] == ["search.criteria_not_allowed", "ok"]
    assert mine[1].pk == result.history_id and mine[1].result_count == 1
    # reuse: edit the saved search, then run what it holds
    edited = services.edit_history(
        principal, mine[0].pk, label="渡辺さん", raw={"name": "渡辺", "address": "原市"}, mode="prefix"
    )
    assert edited.label == "渡辺さん" and edited.edited_at is not None
    again = {k: v for k, v in edited.criteria.items() if not k.startswith("_")}
    assert _found(counter, again) == {city.watanabe.atena_no}
    with pytest.raises(DomainError) as foreign:
        services.edit_history(Principal(user=reviewer), mine[0].pk, label="x", raw={}, mode="exact")
    assert foreign.value.code == "search.history_not_found"


@pytest.mark.spec("2.1.3", partial=True)
def test_former_surname_and_alias(city: City, counter: User, reviewer: User) -> None:
    from tests.registry.conftest import final

    final(
        "former_surname",
        {
            "atena_no": city.saito.atena_no,
            "action": "record",
            "former_surname": "大濱",
            "former_surname_furigana": "オオハマ",
        },
        counter,
        reviewer,
    )
    final(
        "alias",
        {
            "atena_no": city.foreigner.atena_no,
            "action": "record",
            "alias": "阮 文安",
            "alias_furigana": "グエン ヴァンアン",
        },
        counter,
        reviewer,
    )
    cases = [
        ({"former_surname": "大浜", "birth": "H2.2.2"}, {city.saito.atena_no}),  # with variants
        ({"former_surname": "オオハマ", "address": "原市"}, {city.saito.atena_no}),
        ({"former_surname": "大石", "birth": "H2.2.2"}, set()),
        ({"alias": "阮", "birth": "1995-03-01"}, {city.foreigner.atena_no}),
        ({"alias": "グエン", "birth": "1995-03-01"}, {city.foreigner.atena_no}),
    ]
    for criteria, expected in cases:
        assert _found(counter, criteria) == expected, criteria


@pytest.mark.spec("3.1")
def test_a_person_under_an_inquiry_block_keeps_the_row_and_its_mark_only(city: City, counter: User) -> None:
    from jumin.protection.services import set_block
    from tests.conftest import make_operator

    officer = make_operator("shien", "支援 責任者", roles=("支援措置責任者",))
    set_block(
        scope="person", target_no=city.saito.atena_no, process="inquiry", level="alert", reason="照会抑止", by=officer
    )
    (hit,) = search(Principal(user=counter), {"name": "斎藤 花子", "birth": "H2.2.2"}).hits
    assert hit.card.atena_no == city.saito.atena_no and hit.card.values == {"inquiry_blocked": True}
    assert [m.kind for m in hit.marks] == ["block"]
    (other,) = search(Principal(user=counter), {"name": "渡辺 太郎", "birth": "S55.4.1"}).hits
    assert other.card.values["name"] == "渡邊\u3000太郎"


# -- 住所 as counters type it (issue 17, 2.1.2) ------------------------------------------------


@pytest.fixture
def hiratsuka(counter: User, reviewer: User) -> dict[str, str]:
    """Five persons of 平塚 and 上平塚 with the 番地 kept apart from the 住所 (as entered today)."""
    homes = {
        "r7_11": ("埼玉県上尾市平塚四丁目", "7番11号"),
        "r7_1": ("埼玉県上尾市平塚四丁目", "7番1号"),
        "r70_11": ("埼玉県上尾市平塚四丁目", "70番11号"),
        "lot": ("埼玉県上尾市平塚", "4番地7の11"),
        "other_town": ("埼玉県上尾市上平塚", "7番地11"),
    }
    made = {}
    for n, (key, (address, banchi)) in enumerate(homes.items()):
        data = person(surname="平塚", given_name=f"住人{n}", birth="平成2年2月2日")
        made[key] = _one(data, counter, reviewer, address={"address": address, "banchi": banchi}).atena_no
    return made


ADDRESS_TYPED = [
    ("平塚4-7-11", {"r7_11", "lot"}),  # 四丁目7番11号, or 4番地7の11
    ("平塚四丁目7-11", {"r7_11"}),
    ("平塚４丁目７－１１", {"r7_11"}),  # full-width digits and dash
    ("平塚4丁目7番11号", {"r7_11"}),
    ("平塚四丁目7", {"r7_11", "r7_1"}),  # 7番… but not 70番
    ("平塚四丁目", {"r7_11", "r7_1", "r70_11"}),
    ("平塚4", {"r7_11", "r7_1", "r70_11", "lot"}),  # 四丁目, or 4番地…
    ("上平塚7-11", {"other_town"}),
    ("平塚7-11", {"other_town"}),  # 上平塚7番地11 contains 平塚; 平塚七丁目 has nobody
    ("平塚四丁目7番地11", {"r7_11"}),  # the same numbers read as 住居表示 or 地番
]


@pytest.mark.spec("2.1.2", partial=True)
@pytest.mark.parametrize(("typed", "expected"), ADDRESS_TYPED)
def test_an_address_is_found_as_counters_type_it(
    hiratsuka: dict[str, str], counter: User, typed: str, expected: set[str]
) -> None:
    found = _found(counter, {"name": "平塚", "address": typed}, mode="prefix")
    assert found == {hiratsuka[key] for key in expected}
