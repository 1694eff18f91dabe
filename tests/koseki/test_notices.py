"""住民票記載事項通知 (住基法9条2項) from the 本籍地 over real HTTP: received, entered as a 仮登録 of a
職権修正 by the system account, applied only after a person's check (本登録), back on the error list
when discarded; the 戸籍's 氏名の振り仮名 recorded as 確認済 (spec 7.1.1.1, 1.1.18; 2025 reform)."""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings
from django.test import Client

from jumin.accounts.models import Terminal, User
from jumin.core.errors import DomainError
from jumin.koseki.models import ReceivedKosekiNotice
from jumin.koseki.notices import SYSTEM_USERNAME, receive_koseki_notice
from jumin.koseki.services import run_pass
from jumin.registry.models import FuriganaStatus, Movement, Resident
from jumin.registry.services import approve_movement, discard_movement
from tests.conftest import device_cookie, log_in, make_operator
from tests.koseki.conftest import AGEO
from tests.koseki.test_fuhyo import control
from tests.registry.conftest import final, move_in_data, person


def _resident(counter: User, reviewer: User, **overrides: Any) -> Resident:
    movement = final("move_in", move_in_data(person(**overrides)), counter, reviewer)
    return Resident.objects.get(atena_no=movement.items.get().atena_no)


def _notice(resident: Resident, **overrides: Any) -> dict[str, Any]:
    notice: dict[str, Any] = {
        "kind": "koseki_notice",
        "idempotency_key": "koseki:131016:1",
        "from_municipality_code": "131016",
        "to_municipality_code": AGEO,
        "event": "marriage",
        "resident_code": resident.resident_code,
        "name": resident.name,
        "birth_text": resident.birth_text,
        "sex": resident.sex,
        "notified_on": "2026-11-27",
        "changes": {
            "surname": "平方",
            "furigana_surname": "ヒラカタ",
            "furigana_given_name": "タロウ",
            "koseki_head": "平方　一郎",
            "honseki": "東京都千代田区千代田1番",
        },
    }
    notice.update(overrides)
    return notice


@pytest.mark.spec("7.1.1.1", "1.1.18", partial=True)
def test_a_koseki_notice_is_applied_only_after_a_person_approves_it(counter: User, reviewer: User, koseki: Any) -> None:
    resident = _resident(counter, reviewer)
    assert resident.furigana_status == FuriganaStatus.UNCONFIRMED
    control(koseki, {"send_koseki": _notice(resident)})
    done = run_pass()
    assert (done.koseki_received, done.queued, done.left) == (1, 1, 0)
    assert koseki.book.waiting_for("/koseki-notices", AGEO) == [], "acknowledged"
    stored = ReceivedKosekiNotice.objects.get()
    assert stored.state == ReceivedKosekiNotice.State.QUEUED and stored.event == "marriage"
    movement = stored.movement
    assert movement is not None and movement.kind == "correction" and movement.state == Movement.State.PROVISIONAL
    assert movement.entered_by.username == SYSTEM_USERNAME
    resident.refresh_from_db()
    assert resident.surname == "上尾", "nothing reaches the 住民票 before the check"
    approve_movement(movement, by=reviewer)
    resident.refresh_from_db()
    assert (resident.surname, resident.furigana_surname, resident.koseki_head) == ("平方", "ヒラカタ", "平方　一郎")
    assert resident.honseki == "東京都千代田区千代田1番"
    assert resident.furigana_status == FuriganaStatus.CONFIRMED, "the 戸籍's 振り仮名 is 確認済"
    stored.refresh_from_db()
    assert stored.state == ReceivedKosekiNotice.State.APPLIED and stored.history_no == resident.history_no
    control(koseki, {"send_koseki": _notice(resident)})  # the acknowledgement was lost: it comes again
    assert run_pass().queued == 0 and ReceivedKosekiNotice.objects.count() == 1, "recognised by its id"


@pytest.mark.spec("1.1.18", partial=True)
def test_a_furigana_only_notice_confirms_the_furigana(counter: User, reviewer: User, key_dir: Any) -> None:
    resident = _resident(counter, reviewer)
    changes = {"furigana_surname": "アゲヲ", "furigana_given_name": "タロウ"}
    stored = receive_koseki_notice(_notice(resident, event="furigana", changes=changes))
    assert stored.movement is not None
    approve_movement(stored.movement, by=reviewer)
    resident.refresh_from_db()
    assert (resident.furigana_surname, resident.furigana_status) == ("アゲヲ", FuriganaStatus.CONFIRMED)
    assert resident.surname == "上尾"


def test_a_discarded_entry_goes_back_on_the_error_list(counter: User, reviewer: User, key_dir: Any) -> None:
    resident = _resident(counter, reviewer)
    stored = receive_koseki_notice(_notice(resident))
    assert stored.movement is not None
    discard_movement(stored.movement, by=reviewer)
    stored.refresh_from_db()
    assert (stored.state, stored.error_code, stored.movement) == (
        ReceivedKosekiNotice.State.UNMATCHED,
        "koseki.discarded",
        None,
    )
    resident.refresh_from_db()
    assert resident.surname == "上尾"


def test_unknown_persons_and_bad_notices_are_left_for_the_staff(counter: User, reviewer: User, key_dir: Any) -> None:
    resident = _resident(counter, reviewer)
    unknown = _notice(resident, idempotency_key="k:2", resident_code="", name="誰か\u3000知らず")
    assert receive_koseki_notice(unknown).state == ReceivedKosekiNotice.State.UNMATCHED
    by_name = receive_koseki_notice(_notice(resident, idempotency_key="k:3", resident_code=""))
    assert by_name.state == ReceivedKosekiNotice.State.QUEUED and by_name.atena_no == resident.atena_no
    waiting = receive_koseki_notice(_notice(resident, idempotency_key="k:4"))
    assert waiting.state == ReceivedKosekiNotice.State.UNMATCHED, "the person is in a waiting 仮登録"
    bad = receive_koseki_notice(_notice(resident, idempotency_key="k:5", changes={"address": "x"}))
    assert (bad.state, bad.error_code) == (ReceivedKosekiNotice.State.INVALID, "koseki.bad_changes")
    event = receive_koseki_notice(_notice(resident, idempotency_key="k:6", event="unknown"))
    assert event.error_code == "koseki.bad_event"
    day = receive_koseki_notice(_notice(resident, idempotency_key="k:7", notified_on="R8"))
    assert day.error_code == "koseki.bad_date"
    nobody = receive_koseki_notice(_notice(resident, idempotency_key="k:8", resident_code="", name=""))
    assert nobody.error_code == "koseki.incomplete"
    with pytest.raises(DomainError):
        receive_koseki_notice(_notice(resident, idempotency_key=""))
    wrong = _resident(counter, reviewer, given_name="次郎", birth="昭和60年1月1日")
    katakana = _notice(wrong, idempotency_key="k:9", changes={"furigana_surname": "ひらがな"})
    assert receive_koseki_notice(katakana).state == ReceivedKosekiNotice.State.UNMATCHED, "the planner refuses it"


def test_the_review_list_needs_the_view_permission_and_links_to_the_approval(
    counter: User, reviewer: User, key_dir: Any, enrolled_client: Client, terminal: Terminal
) -> None:
    resident = _resident(counter, reviewer)
    stored = receive_koseki_notice(_notice(resident))
    browser = log_in(enrolled_client, reviewer)
    page = browser.get("/koseki/")
    text = page.content.decode()
    assert page.status_code == 200 and "婚姻" in text and "審査待ち" in text
    assert stored.movement is not None and f"/registry/movements/{stored.movement.movement_no}/" in text
    assert browser.post("/koseki/sync/").status_code == 403, "送受信 needs the batch permission"
    assert "・未確認）" in browser.get(f"/registry/person/{resident.atena_no}/").content.decode()
    approve_movement(stored.movement, by=reviewer)
    person_page = browser.get(f"/registry/person/{resident.atena_no}/").content.decode()
    assert "（ヒラカタ\u3000タロウ・確認済（戸籍））" in person_page, "1.1.18: the state is on the person screen"
    assert "反映済" in browser.get("/koseki/?state=applied").content.decode()
    nobody = make_operator("nobody", "権限 なし")
    outsider = Client()
    outsider.cookies[settings.JUMIN_TERMINAL_COOKIE] = device_cookie(terminal)
    assert log_in(outsider, nobody).get("/koseki/").status_code == 403
