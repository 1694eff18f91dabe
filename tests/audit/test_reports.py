"""Audit reports: after-hours and holidays, failed logins, logins per ID, mass look-ups,
look-ups without processing, accesses to one resident, one operator's activity."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.test import Client, override_settings

from jumin.audit.context import acting_as
from jumin.audit.models import AccessLog
from jumin.audit.reports import (
    accesses_to_person,
    after_hours,
    failed_logins,
    logins_per_operator,
    lookups_without_processing,
    mass_lookups,
    operator_activity,
)
from jumin.audit.services import record_access, record_auth, record_operation
from jumin.conf.calendar import is_after_hours, is_closed_day, next_business_day
from tests.conftest import log_in, make_operator

pytestmark = pytest.mark.django_db
TOKYO = ZoneInfo("Asia/Tokyo")
PERIOD = (date(2026, 11, 1), date(2026, 11, 30))


def _view(at: datetime, operator: str, persons: list[str], action: str = "view") -> AccessLog:
    with acting_as(operator=operator, channel="screen", place="SHIMIN", terminal="SHIMIN-1"):
        return record_access(at=at, purpose="person.view", action=action, persons=persons)


def test_business_calendar() -> None:
    assert is_closed_day(date(2026, 11, 23))  # 勤労感謝の日
    assert is_closed_day(date(2026, 11, 28))  # Saturday
    assert is_closed_day(date(2026, 12, 30)) and is_closed_day(date(2027, 1, 3))  # 年末年始
    assert not is_closed_day(date(2026, 11, 26))
    assert next_business_day(date(2026, 12, 28)) == date(2027, 1, 4)
    assert is_after_hours(datetime(2026, 11, 26, 20, 0, tzinfo=TOKYO))
    assert not is_after_hours(datetime(2026, 11, 26, 10, 0, tzinfo=TOKYO))


@pytest.mark.spec("10.2", partial=True)
def test_after_hours_report_lists_nights_weekends_and_holidays() -> None:
    _view(datetime(2026, 11, 26, 10, 0, tzinfo=TOKYO), "madoguchi", ["0000000060"])  # Thursday, open
    _view(datetime(2026, 11, 26, 22, 0, tzinfo=TOKYO), "madoguchi", ["0000000071"])  # night
    _view(datetime(2026, 11, 23, 11, 0, tzinfo=TOKYO), "shinsa", ["0000000082"])  # holiday
    report = after_hours(*PERIOD)
    assert [row[6] for row in report.rows] == ["0000000082", "0000000071"]
    assert sorted(report.persons) == ["0000000071", "0000000082"]


def test_failed_logins_and_logins_per_operator() -> None:
    for _ in range(3):
        record_auth("login_failed", username="madoguchi")
    record_auth("locked", username="madoguchi")
    record_auth("login_failed", username="nobody")
    record_auth("second_factor_ok", username="shinsa")
    record_auth("second_factor_ok", username="shinsa")
    today = date.today()
    failed = failed_logins(today, today)
    assert [r[:3] for r in failed.rows] == [["madoguchi", 3, "ロック"], ["nobody", 1, ""]]
    assert [r[:2] for r in logins_per_operator(today, today).rows] == [["shinsa", 2]]


@override_settings(JUMIN_AUDIT_MASS_LOOKUP_PERSONS_PER_DAY=3)
def test_mass_lookups_count_distinct_persons_per_day() -> None:
    day = datetime(2026, 11, 26, 10, 0, tzinfo=TOKYO)
    _view(day, "madoguchi", ["1", "2"])
    _view(day, "madoguchi", ["2", "3", "4"])
    _view(day, "shinsa", ["1", "2", "3"])
    report = mass_lookups(*PERIOD)
    assert report.rows == [[date(2026, 11, 26), "madoguchi", 4, 2]]


@override_settings(JUMIN_AUDIT_FOLLOW_UP_HOURS=8)
def test_lookups_not_followed_by_processing() -> None:
    with acting_as(operator="madoguchi", channel="screen"):
        record_operation(action="movement.provisional", target_id="0000000060")
    _view(datetime(2000, 1, 1, 10, tzinfo=TOKYO), "madoguchi", ["0000000071"])
    today = date.today()
    _view(datetime.now(TOKYO), "madoguchi", ["0000000060"])  # the operation came before: no follow-up
    _view(datetime.now(TOKYO), "madoguchi", ["0000000093"])
    report = lookups_without_processing(today, today)
    assert [row[3] for row in report.rows] == ["0000000060", "0000000093"]
    with acting_as(operator="madoguchi", channel="screen"):
        record_operation(action="movement.provisional", target_id="0000000093")
    assert [row[3] for row in lookups_without_processing(today, today).rows] == ["0000000060"]


@pytest.mark.spec("10.2", partial=True)
def test_everyone_who_accessed_one_resident() -> None:
    _view(datetime(2026, 11, 2, 10, tzinfo=TOKYO), "madoguchi", ["0000000060", "0000000071"])
    _view(datetime(2026, 11, 3, 10, tzinfo=TOKYO), "shinsa", ["0000000060"])
    _view(datetime(2026, 11, 4, 10, tzinfo=TOKYO), "shinsa", ["0000000071"])
    _view(datetime(2026, 12, 4, 10, tzinfo=TOKYO), "kansa", ["0000000060"])  # outside the period
    report = accesses_to_person(*PERIOD, atena_no="0000000060")
    assert [row[1] for row in report.rows] == ["madoguchi", "shinsa"]


def test_one_operators_activity() -> None:
    _view(datetime.now(TOKYO), "madoguchi", ["0000000060"])
    with acting_as(operator="madoguchi", channel="screen"):
        record_operation(action="movement.provisional", target_id="0000000060")
        record_auth("logout", username="madoguchi")
    today = date.today()
    kinds = [row[1] for row in operator_activity(today, today, operator="madoguchi").rows]
    assert kinds == ["照会", "操作", "認証"]


def test_report_screens_need_the_auditor_capability(enrolled_client: Client, operator: object) -> None:
    log_in(enrolled_client, operator)  # type: ignore[arg-type]
    assert enrolled_client.get("/audit/").status_code == 403
    assert "権限がありません" in enrolled_client.get("/audit/failed-logins/").content.decode()


def test_auditor_reads_reports_on_screen_and_as_csv_and_is_logged(client: Client, terminal: object) -> None:
    from tests.conftest import device_cookie

    auditor = make_operator("kansa", "大石 三郎", roles=("監査",))
    client.cookies["jumin_terminal"] = device_cookie(terminal)  # type: ignore[arg-type]
    log_in(client, auditor)
    _view(datetime(2026, 11, 2, 10, tzinfo=TOKYO), "madoguchi", ["0000000060"])
    page = client.get("/audit/").content.decode()
    assert "住民ごとのアクセス（開示請求）" in page and "監査" in page
    page = client.get("/audit/person/?start=R8.11.1&end=令和8年11月30日&atena_no=0000000060").content.decode()
    assert "madoguchi" in page and "CSVで保存" in page
    response = client.get("/audit/person/?start=2026-11-01&end=2026-11-30&atena_no=0000000060&format=csv")
    body = response.content.decode("utf-8")
    assert body.startswith("\ufeff日時,") and "madoguchi" in body
    logged = AccessLog.objects.filter(operator="kansa").values_list("purpose", "action", "persons")
    assert ("audit.person", "export", ["0000000060"]) in list(logged)
    not_atena = client.get("/audit/person/?start=2026-11-01&end=2026-11-30&atena_no=123456789018")
    assert not_atena.status_code == 400 and "宛名番号は10桁の数字です。" in not_atena.content.decode()
    bad_digit = client.get("/audit/person/?start=2026-11-01&end=2026-11-30&atena_no=0000000061")
    assert "検査数字が一致しません" in bad_digit.content.decode()
    missing = client.get("/audit/person/?start=2026-11-01&end=2026-11-30")
    assert missing.status_code == 400 and "宛名番号を入力してください。" in missing.content.decode()
    wrong = client.get("/audit/logins/?start=2026-12-01&end=2026-11-01")
    assert "期間の終わりは始まりより後の日にしてください。" in wrong.content.decode()
    bad = client.get("/audit/logins/?start=きのう&end=2026-11-01")
    assert "日付として読み取れません" in bad.content.decode()
    assert client.get("/audit/no-such-report/").status_code == 404
    assert client.get("/audit/logins/").status_code == 200  # the empty form


def test_screens_show_names_and_wareki_times_not_codes(client: Client, terminal: object) -> None:
    """Issue 17: the auditor reads 「上尾 花子（madoguchi）」, the place and terminal names, the
    screen and the operation in Japanese and the time in 和暦 — the logs keep the codes."""
    from tests.conftest import device_cookie

    auditor = make_operator("kansa", "大石 三郎", roles=("監査",))
    make_operator("madoguchi", "上尾 花子", roles=("窓口入力",))
    client.cookies["jumin_terminal"] = device_cookie(terminal)  # type: ignore[arg-type]
    log_in(client, auditor)
    with acting_as(operator="madoguchi", channel="screen", place=terminal.place.code, terminal=terminal.code):  # type: ignore[attr-defined]
        record_access(
            at=datetime(2026, 11, 2, 10, 5, 9, tzinfo=TOKYO),
            purpose="registry.person",
            action="view",
            persons=["0000000060"],
        )
    page = client.get("/audit/person/?start=R8.11.1&end=R8.11.30&atena_no=0000000060").content.decode()
    assert "上尾 花子（madoguchi）" in page
    assert "令和8年11月2日 10時05分09秒" in page and "2026-11-02" not in page
    assert "個人照会" in page and "照会" in page and "registry.person" not in page
    assert terminal.name in page and terminal.place.name in page  # type: ignore[attr-defined]
    csv_body = client.get("/audit/person/?start=R8.11.1&end=R8.11.30&atena_no=0000000060&format=csv").content.decode()
    assert "上尾 花子（madoguchi）" in csv_body and "令和8年11月2日" in csv_body
    assert AccessLog.objects.filter(purpose="registry.person", operator="madoguchi").exists()  # the log keeps codes


def test_unknown_codes_are_shown_as_they_are() -> None:
    from jumin.audit.display import action_label, auth_event_label, purpose_label

    assert purpose_label("search.kana") == "住民検索（kana）"
    assert purpose_label("registry.notice.move_in") == "通知書の印刷（move_in）"
    assert purpose_label("no.such") == "no.such" and purpose_label("転入通知未着者一覧（4.1.3.1.4）").startswith(
        "転入通知"
    )
    assert action_label("movement.final") == "異動の本登録" and action_label("x.y") == "x.y"
    assert auth_event_label("second_factor_ok") == "ログイン（二要素認証まで完了）"
