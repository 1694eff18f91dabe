"""Issue 14 item 3: the accepted range of dates and the alerts on them (spec 1.1.8, 1.1.9,
4.0.3, 4.1.0.2), through the real service path."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.test import Client

from jumin.accounts.models import Terminal, User
from jumin.registry.models import Resident, ResidentHistory
from jumin.registry.queries import wareki_text
from jumin.registry.services import AlertsNeedConfirmationError, MovementRejectedError, enter_movement
from tests.conftest import device_cookie, log_in
from tests.registry.conftest import final, move_in_data, person

pytestmark = pytest.mark.django_db


def _codes(error: MovementRejectedError | AlertsNeedConfirmationError) -> set[str]:
    return {issue.code for issue in error.issues}


@pytest.mark.spec("1.1.8", "1.1.9", partial=True)
@pytest.mark.parametrize("birth", ["平成31年5月1日", "昭和64年1月8日", "令和元年4月30日", "平成31年5月頃"])
def test_a_birth_date_in_an_era_that_had_ended_or_not_begun_is_refused(counter: User, birth: str) -> None:
    with pytest.raises(MovementRejectedError) as rejected:
        enter_movement("move_in", move_in_data(person(birth=birth)), by=counter)
    assert _codes(rejected.value) == {"wareki.outside_era"}
    assert all(birth not in issue.message for issue in rejected.value.issues)


def _household(counter: User, reviewer: User) -> str:
    mother = final("move_in", move_in_data(person(given_name="花子", sex="2")), counter, reviewer).items.get()
    return Resident.objects.get(atena_no=mother.atena_no).household_no


def _birth(household_no: str, effective: str) -> dict[str, object]:
    return {
        "household_no": household_no,
        "effective": effective,
        "person": {
            "surname": "上尾",
            "given_name": "陽向",
            "furigana_surname": "アゲオ",
            "furigana_given_name": "ヒナタ",
            "sex": "2",
            "relationship": "子",
        },
    }


@pytest.mark.spec("1.1.8", partial=True)
def test_a_birth_date_not_on_the_calendar_needs_the_operator_to_confirm_it(counter: User, reviewer: User) -> None:
    data = _birth(_household(counter, reviewer), "令和7年2月30日")
    with pytest.raises(AlertsNeedConfirmationError) as waiting:
        enter_movement("birth", data, by=counter)
    assert _codes(waiting.value) == {"date.non_calendar"}
    child = final("birth", data, counter, reviewer, acknowledged=("date.non_calendar",)).items.get()
    record = Resident.objects.get(atena_no=child.atena_no)
    assert record.birth_text == "令和7年2月30日" and record.became_resident_text == "令和7年2月30日"


@pytest.mark.spec("4.1.0.2", partial=True)
@pytest.mark.parametrize("notified_on", ["0001-01-01", "1967-11-09", "昭和42年11月9日"])
def test_a_notification_date_before_the_act_is_refused(counter: User, notified_on: str) -> None:
    with pytest.raises(MovementRejectedError) as rejected:
        enter_movement("move_in", move_in_data(notified_on=notified_on), by=counter)
    assert _codes(rejected.value) == {"date.too_early"}
    assert rejected.value.issues[0].message == "届出日は昭和42年11月10日以降の日付にしてください。"


@pytest.mark.spec("2.2.1", partial=True)
def test_a_row_written_with_an_impossible_notification_date_still_shows(
    counter: User, reviewer: User, terminal: Terminal
) -> None:
    """Rows stored before the windows existed: the person's screen answers, not a 500."""
    atena_no = final("move_in", move_in_data(), counter, reviewer).items.get().atena_no
    Resident.objects.filter(atena_no=atena_no).update(notified_on=date(1, 1, 1))
    client = Client()
    client.cookies["jumin_terminal"] = device_cookie(terminal)
    response = log_in(client, counter).get(f"/registry/person/{atena_no}/")
    assert response.status_code == 200


@pytest.mark.spec("4.0.3", "4.1.0.2", partial=True)
def test_a_notification_before_the_move_in_date_is_an_alert(counter: User, reviewer: User) -> None:
    data = move_in_data(effective="R8.11.20", notified_on="R8.11.19")
    with pytest.raises(AlertsNeedConfirmationError) as waiting:
        enter_movement("move_in", data, by=counter)
    assert _codes(waiting.value) == {"date.notified_before_effective"}
    final("move_in", data, counter, reviewer, acknowledged=("date.notified_before_effective",))


@pytest.mark.spec("4.1.0.2", partial=True)
def test_a_move_out_is_notified_in_advance_without_alert(counter: User, reviewer: User) -> None:
    atena_no = final("move_in", move_in_data(), counter, reviewer).items.get().atena_no
    movement = enter_movement(
        "move_out",
        {
            "reason": "domestic_move_out",
            "atena_nos": [atena_no],
            "effective": "R8.12.20",
            "notified_on": "R8.11.30",
            "destination": {"address": "東京都千代田区千代田1番1号"},
        },
        by=counter,
    )
    assert movement.pk


@pytest.mark.spec("4.1.0.2", partial=True)
def test_a_planned_move_out_more_than_a_year_ahead_is_refused(counter: User, reviewer: User) -> None:
    atena_no = final("move_in", move_in_data(), counter, reviewer).items.get().atena_no
    with pytest.raises(MovementRejectedError) as rejected:
        enter_movement(
            "move_out",
            {
                "reason": "domestic_move_out",
                "atena_nos": [atena_no],
                "effective": "R10.12.20",
                "destination": {"address": "東京都千代田区千代田1番1号"},
            },
            by=counter,
        )
    assert _codes(rejected.value) == {"date.too_late"}


@pytest.mark.spec("1.1.9")
def test_a_move_in_date_typed_in_seireki_is_kept_and_shown_in_wareki(counter: User, reviewer: User) -> None:
    atena_no = final("move_in", move_in_data(effective="2026-11-02"), counter, reviewer).items.get().atena_no
    record = Resident.objects.get(atena_no=atena_no)
    assert record.became_resident_text == "令和8年11月2日" and record.address_set_text == "令和8年11月2日"
    assert ResidentHistory.objects.filter(atena_no=atena_no).get().became_resident_text == "令和8年11月2日"


@pytest.mark.spec("1.1.9")
@pytest.mark.parametrize(
    ("stored", "shown"),
    [
        ("2026年11月2日", "令和8年11月2日"),
        ("令和8年11月2日", "令和8年11月2日"),
        ("令和3年2月29日", "令和3年2月29日"),
        ("2020年頃", "2020年頃"),
        ("年月日不詳", "年月日不詳"),
        ("", ""),
    ],
)
def test_a_date_stored_in_seireki_is_shown_in_wareki(stored: str, shown: str) -> None:
    assert wareki_text(stored) == shown


@pytest.mark.spec("4.1.0.2", partial=True)
def test_the_windows_are_configurable(counter: User, settings: Any) -> None:
    settings.JUMIN_DATE_WINDOWS = {"notified": {"earliest": "2026-01-01"}}
    with pytest.raises(MovementRejectedError) as rejected:
        enter_movement("move_in", move_in_data(effective="R7.12.1", notified_on="R7.12.31"), by=counter)
    assert _codes(rejected.value) == {"date.too_early"}
    assert rejected.value.issues[0].message == "届出日は令和8年1月1日以降の日付にしてください。"
    settings.JUMIN_DATE_WINDOWS = {}
    assert enter_movement("move_in", move_in_data(effective="R7.12.1", notified_on="R7.12.31"), by=counter).pk
