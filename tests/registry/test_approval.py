"""審査・決裁 (4.0.8, 4.0.9): the queue, the before/after comparison, 差戻し (return with a
comment, correct by re-entry, resubmit, discard) and the conflicting 仮登録 caught at entry.

The services run on SQLite and on PostgreSQL (``-m db`` with ``JUMIN_DATABASE_URL``)."""

from __future__ import annotations

import html
import re
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from jumin.accounts.models import Place, Terminal, User
from jumin.accounts.principal import Principal
from jumin.audit.context import acting_as
from jumin.audit.models import AccessLog, OperationLog
from jumin.core.errors import DomainError
from jumin.registry import queries
from jumin.registry.models import EditLease, Movement, Resident
from jumin.registry.services import (
    AlertsNeedConfirmationError,
    MovementRejectedError,
    approve_movement,
    discard_movement,
    enter_movement,
    resubmit_movement,
    return_movement,
)
from tests.conftest import device_cookie, log_in, make_operator
from tests.registry.conftest import final, move_in_data, person

NUMBER_IN_TEXT = "本人の番号 1234-5678-9018 を確認"  # a valid 個人番号 (check digit)


def _household(counter: User, reviewer: User) -> tuple[str, str, str]:
    """A head and her son moved in; (head, son, 世帯番号)."""
    data = move_in_data(person(), person(given_name="一郎", furigana_given_name="イチロウ", relationship="子"))
    moved_in = final("move_in", data, counter, reviewer)
    head_no, son_no = (i.atena_no for i in moved_in.items.order_by("atena_no"))
    return head_no, son_no, Resident.objects.get(atena_no=head_no).household_no


def _relocation(atena_nos: list[str], address: str = "埼玉県上尾市原市1番地") -> dict[str, Any]:
    return {
        "atena_nos": atena_nos,
        "effective": "R8.11.25",
        "notified_on": "R8.11.26",
        "destination": {"address": {"address": address, "postcode": "3620021"}},
    }


# -- conflicting 仮登録 at entry --------------------------------------------------------------


@pytest.mark.spec("4.0.8", "10.3", partial=True)
def test_a_second_movement_on_a_person_is_refused_at_entry_naming_the_waiting_one(
    counter: User, reviewer: User
) -> None:
    head_no, son_no, _ = _household(counter, reviewer)
    first = enter_movement("relocation", _relocation([head_no, son_no]), by=counter)
    other = make_operator("madoguchi2", "原市 次郎", roles=("窓口入力",))
    for by in (counter, other):  # the same clerk too: the lease let her through before
        with pytest.raises(MovementRejectedError) as info:
            enter_movement("death", {"atena_nos": [son_no], "effective": "R8.11.26"}, by=by)
        (issue,) = info.value.issues
        assert issue.code == "movement.pending_person" and issue.atena_no == son_no
        assert f"{first.movement_no}（転居・仮登録）" in issue.message and issue.person_name == "上尾\u3000一郎"
    assert Movement.objects.count() == 2  # the move-in and the 転居: nothing stored
    # once the first is approved, the second is planned on the new record and accepted
    approve_movement(first, by=reviewer)
    assert enter_movement("death", {"atena_nos": [son_no], "effective": "R8.11.26"}, by=other)


@pytest.mark.spec("4.0.8", partial=True)
def test_another_movement_in_the_household_is_an_alert_the_clerk_confirms(counter: User, reviewer: User) -> None:
    head_no, _, household_no = _household(counter, reviewer)
    other = make_operator("madoguchi2", "原市 次郎", roles=("窓口入力",))
    numbers = enter_movement(  # another clerk records the head's 旧氏
        "former_surname",
        {"atena_no": head_no, "action": "record", "former_surname": "大石", "former_surname_furigana": "オオイシ"},
        by=other,
    )
    birth = {
        "household_no": household_no,
        "effective": "R8.11.25",
        "person": {**person(given_name="陽向"), "relationship": "子"},
    }
    # while her entry holds the household (10.3), another clerk is refused at entry, told why
    with pytest.raises(MovementRejectedError) as refused:
        enter_movement("birth", birth, by=counter, acknowledged=["movement.pending_household"])
    (error,) = refused.value.issues
    assert error.code == "movement.pending_household" and numbers.movement_no in error.message
    assert "原市 次郎" in error.message
    # she may enter it herself (an alert to confirm), and anyone once the lease has expired
    with pytest.raises(AlertsNeedConfirmationError) as info:
        enter_movement("birth", birth, by=other)
    (alert,) = info.value.issues
    assert alert.code == "movement.pending_household" and f"{numbers.movement_no}（旧氏" in alert.message
    EditLease.objects.filter(movement=numbers).update(expires_at=timezone.now() - timedelta(minutes=1))
    with pytest.raises(AlertsNeedConfirmationError):
        enter_movement("birth", birth, by=counter)
    born = enter_movement("birth", birth, by=counter, acknowledged=["movement.pending_household"])
    # both can be approved, in either order
    approve_movement(born, by=reviewer)
    approve_movement(numbers, by=reviewer)


def test_a_new_household_has_nothing_waiting(counter: User) -> None:
    """Two 転入 of new households at once: nothing in common."""
    enter_movement("move_in", move_in_data(), by=counter)
    assert enter_movement("move_in", move_in_data(person(surname="平方", koseki_head="平方　太郎")), by=counter)


# -- 差戻し --------------------------------------------------------------------------------------


@pytest.mark.spec("4.0.8", "4.0.9", partial=True)
def test_return_correct_by_reentry_and_approve(counter: User, reviewer: User) -> None:
    head_no, son_no, _ = _household(counter, reviewer)
    wrong = enter_movement("relocation", _relocation([head_no, son_no], "埼玉県上尾市原市9番地"), by=counter)
    returned = return_movement(wrong, "  転居先の番地が届出書と違います（1番地）。  ", by=reviewer)
    assert returned.state == Movement.State.RETURNED and returned.return_comment.startswith("転居先の番地")
    assert returned.returned_at is not None
    log = OperationLog.objects.get(action="movement.returned", target_id=wrong.movement_no)
    assert log.after == {"comment": returned.return_comment}
    # not in the queue, not approvable; the persons stay held
    assert wrong.movement_no not in [r.movement.movement_no for r in queries.approval_queue(Principal(reviewer)).rows]
    with pytest.raises(DomainError) as info:
        approve_movement(wrong, by=reviewer)
    assert info.value.code == "movement.returned"
    with pytest.raises(MovementRejectedError) as held:
        enter_movement("death", {"atena_nos": [son_no], "effective": "R8.11.26"}, by=counter)
    assert "差戻し" in held.value.issues[0].message
    # the clerk sees it with the comment
    (row,) = queries.returned_movements(Principal(counter))
    assert row.movement.pk == wrong.pk and row.names == ["上尾\u3000太郎", "上尾\u3000一郎"]
    assert queries.returned_movements(Principal(reviewer)) == []
    # she corrects it: a new entry replaces it (the waiting check leaves the returned one out)
    fixed = enter_movement("relocation", _relocation([head_no, son_no]), by=counter, replaces=wrong)
    wrong.refresh_from_db()
    assert wrong.state == Movement.State.DISCARDED and fixed.replaces_id == wrong.pk
    assert not EditLease.objects.filter(movement=wrong).exists()
    assert OperationLog.objects.filter(action="movement.replaced", target_id=wrong.movement_no).exists()
    assert OperationLog.objects.get(action="movement.provisional", target_id=fixed.movement_no).after["replaces"] == (
        wrong.movement_no
    )
    approve_movement(fixed, by=reviewer)
    assert Resident.objects.get(atena_no=son_no).address == "埼玉県上尾市原市1番地"


@pytest.mark.spec("4.0.8", partial=True)
def test_resubmit_as_it_is_or_discard(counter: User, reviewer: User) -> None:
    head_no, son_no, _ = _household(counter, reviewer)
    movement = enter_movement("relocation", _relocation([head_no, son_no]), by=counter)
    return_movement(movement, "届出人の本人確認書類を確認しましたか。", by=reviewer)
    with pytest.raises(DomainError) as info:  # only the clerk who entered it
        resubmit_movement(movement, by=make_operator("madoguchi2", "原市 次郎", roles=("窓口入力",)))
    assert info.value.code == "movement.not_yours"
    resubmit_movement(movement, by=counter)
    movement.refresh_from_db()
    assert movement.state == Movement.State.PROVISIONAL and movement.return_comment  # the reviewer still sees it
    assert OperationLog.objects.filter(action="movement.resubmitted", target_id=movement.movement_no).exists()
    with pytest.raises(DomainError):
        resubmit_movement(movement, by=counter)  # not returned any more
    return_movement(movement, "やはり住所を確認してください。", by=reviewer)
    discard_movement(movement, by=counter)
    movement.refresh_from_db()
    assert movement.state == Movement.State.DISCARDED
    assert enter_movement("death", {"atena_nos": [son_no], "effective": "R8.11.26"}, by=counter)


def test_return_is_refused_without_reason_with_a_number_to_oneself_or_twice(counter: User, reviewer: User) -> None:
    movement = enter_movement("move_in", move_in_data(), by=counter)
    cases = [
        (reviewer, "", "movement.return_comment"),
        (reviewer, "x" * 1001, "movement.return_comment"),
        (reviewer, NUMBER_IN_TEXT, "text.contains_individual_number"),
        (counter, "自分の入力", "auth.forbidden"),
    ]
    for by, comment, code in cases:
        with pytest.raises(DomainError) as info:
            return_movement(movement, comment, by=by)
        assert info.value.code == code
        assert "1234" not in info.value.message
    both = make_operator("kakarichou", "係長 職員", roles=("窓口入力", "審査・決裁"))
    own = enter_movement("move_in", move_in_data(person(surname="平方", koseki_head="平方　太郎")), by=both)
    with pytest.raises(DomainError) as info:
        return_movement(own, "自分で", by=both)
    assert info.value.code == "movement.self_return"
    return_movement(movement, "転入前住所を確認してください。", by=reviewer)
    with pytest.raises(DomainError) as info:
        return_movement(movement, "二度目", by=reviewer)
    assert info.value.code == "movement.not_provisional"
    with pytest.raises(DomainError) as info:  # someone else's returned movement cannot be replaced
        enter_movement("move_in", move_in_data(), by=both, replaces=movement)
    assert info.value.code == "movement.not_yours"
    assert not any("1234" in str(log.after) for log in OperationLog.objects.all())


# -- the queue and the comparison --------------------------------------------------------------


@pytest.mark.spec("4.0.8", partial=True)
def test_the_queue_shows_names_dates_office_and_waiting_time_filtered_and_sorted(counter: User, reviewer: User) -> None:
    Place.objects.create(code="SHIMIN", name="市民課", kind=Place.Kind.MAIN, sort_order=1)
    Place.objects.create(code="HARAICHI", name="原市支所", kind=Place.Kind.BRANCH, sort_order=2)
    Terminal.objects.create(code="HARAICHI-1", name="原市1", place=Place.objects.get(code="HARAICHI"))
    head_no, son_no, _ = _household(counter, reviewer)
    relocation = enter_movement("relocation", _relocation([head_no, son_no]), by=counter)
    with acting_as(channel="screen", place="HARAICHI", terminal="HARAICHI-1"):
        move_in = enter_movement("move_in", move_in_data(person(surname="平方", koseki_head="平方　太郎")), by=counter)
    Movement.objects.filter(pk=relocation.pk).update(entered_at=timezone.now() - timedelta(days=1, hours=3))
    queue = queries.approval_queue(Principal(reviewer))
    assert [r.movement.pk for r in queue.rows] == [relocation.pk, move_in.pk]  # the longest waiting first
    first, second = queue.rows
    assert first.names == ["上尾\u3000太郎", "上尾\u3000一郎"] and first.kind_label == "転居"
    assert first.effective == "令和8年11月25日" and first.notified == "令和8年11月26日"
    assert first.entered_by == str(counter) and first.place == "市民課" and first.waited == "1日3時間"
    assert second.place == "原市支所" and second.terminal == "原市1" and second.kind_label == "転入"
    assert not first.mine
    assert dict(queue.places) == {"HARAICHI": "原市支所", "SHIMIN": "市民課"}
    assert dict(queue.kinds) == {"move_in": "転入", "relocation": "転居"}
    only = queries.approval_queue(Principal(reviewer), place="HARAICHI")
    assert [r.movement.pk for r in only.rows] == [move_in.pk]
    assert [r.movement.pk for r in queries.approval_queue(Principal(reviewer), kind="relocation").rows] == [
        relocation.pk
    ]
    assert [r.movement.pk for r in queries.approval_queue(Principal(reviewer), sort="newest").rows] == [
        move_in.pk,
        relocation.pk,
    ]
    assert queries.approval_queue(Principal(reviewer), sort="nonsense").sort == "waited"
    logged = AccessLog.objects.filter(purpose="registry.approvals").latest("id")
    assert head_no in str(logged.persons)
    with pytest.raises(DomainError):
        queries.approval_queue(Principal(make_operator("etsuran", "閲覧 職員")))


@pytest.mark.spec("4.0.8", partial=True)
def test_a_long_queue_is_shown_a_page_at_a_time(
    counter: User, reviewer: User, terminal: Terminal, settings: Any
) -> None:
    """A busy day leaves many 仮登録 waiting: the queue shows a page at a time, with the count of
    all of them, and logs only the names it shows; a page number out of range or not a number
    shows the nearest page (never an error)."""
    settings.JUMIN_APPROVAL_QUEUE_PAGE_SIZE = 2
    entered = [
        enter_movement("move_in", move_in_data(person(surname=f"平方{n}", koseki_head=f"平方{n}　太郎")), by=counter)
        for n in range(5)
    ]
    pages = [queries.approval_queue(Principal(reviewer), page=n) for n in (1, 2, 3)]
    assert [[r.movement.pk for r in p.rows] for p in pages] == [[m.pk for m in entered[i : i + 2]] for i in (0, 2, 4)]
    assert [(p.total, p.pages, p.first, p.last) for p in pages] == [(5, 3, 1, 2), (5, 3, 3, 4), (5, 3, 5, 5)]
    logged = AccessLog.objects.filter(purpose="registry.approvals").latest("id")
    assert logged.persons == sorted(i.atena_no for i in entered[4].items.all())
    assert queries.approval_queue(Principal(reviewer), page=99).page == 3
    web = _client(reviewer, terminal)
    for page, shown in (("2", "3〜4件目"), ("0", "1〜2件目"), ("x", "1〜2件目"), ("9" * 30, "1〜2件目")):
        answer = web.get("/registry/approvals/", {"page": page, "sort": "waited"})
        text = answer.content.decode()
        assert answer.status_code == 200 and f"審査待ち 5件（{shown}を表示）" in text
    assert 'data-shortcut="Alt+PageDown"' in web.get("/registry/approvals/").content.decode()


def test_waited_text() -> None:
    now = timezone.now()
    assert queries.waited_text(now - timedelta(minutes=5, seconds=30), now) == "5分"
    assert queries.waited_text(now - timedelta(hours=2, minutes=5), now) == "2時間5分"
    assert queries.waited_text(now - timedelta(days=3), now) == "3日"
    assert queries.waited_text(now + timedelta(minutes=1), now) == "0分"


@pytest.mark.spec("4.0.9", partial=True)
def test_the_comparison_shows_what_changes_before_and_after(counter: User, reviewer: User) -> None:
    head_no, son_no, _ = _household(counter, reviewer)
    movement = enter_movement("relocation", _relocation([head_no, son_no]), by=counter)
    sheet = queries.movement_sheet(Principal(reviewer), movement.movement_no)
    head = next(i for i in sheet.items if i.proposed.atena_no == head_no)
    changed = {c.label: (c.before, c.after) for c in head.changed}
    assert changed["住所"] == ("埼玉県上尾市本町三丁目1番1号", "埼玉県上尾市原市1番地")
    assert changed["異動前住所"][1].startswith("埼玉県上尾市本町三丁目1番1号")
    assert "氏名" not in changed and "生年月日" not in changed
    assert any(c.label == "氏名" and not c.changed for c in head.changes)
    assert not head.stale
    # a new person: every item is new
    born = enter_movement("move_in", move_in_data(person(surname="平方", koseki_head="平方　太郎")), by=counter)
    (new,) = queries.movement_sheet(Principal(reviewer), born.movement_no).items
    assert new.before is None and all(c.changed for c in new.changes if c.after)
    # after 本登録 the comparison is against the row the movement was based on
    approve_movement(movement, by=reviewer)
    again = queries.movement_sheet(Principal(reviewer), movement.movement_no)
    assert {c.label for c in again.items[0].changed} == {c.label for c in sheet.items[0].changed}


# -- screens ------------------------------------------------------------------------------------


def _client(user: User, terminal: Terminal) -> Client:
    client = Client()
    client.cookies["jumin_terminal"] = device_cookie(terminal)
    return log_in(client, user)


@pytest.mark.spec("4.0.8", "4.0.9", "2.3.2", partial=True)
def test_return_and_correct_on_the_screens(
    counter: User, reviewer: User, terminal: Terminal, other_terminal: Terminal
) -> None:
    head_no, son_no, household_no = _household(counter, reviewer)
    with acting_as(channel="screen", place="SHIMIN", terminal="SHIMIN-1"):
        movement = enter_movement("relocation", _relocation([head_no, son_no], "上尾市原市9番地"), by=counter)
    review = _client(reviewer, other_terminal)
    page = review.get("/registry/approvals/").content.decode()
    assert "上尾\u3000太郎、上尾\u3000一郎" in page and "令和8年11月25日" in page and "市民課" in page
    assert "data-arrow-item autofocus" in page
    assert movement.movement_no in review.get("/registry/approvals/", {"place": "SHIMIN"}).content.decode()
    assert movement.movement_no not in review.get("/registry/approvals/", {"kind": "death"}).content.decode()
    sheet = review.get(f"/registry/movements/{movement.movement_no}/").content.decode()
    assert "変更前・変更後" in sheet and 'class="changed"' in sheet and "<mark>上尾市原市9番地" in sheet
    # an empty reason and a 個人番号 are refused with Japanese messages
    response = review.post(f"/registry/movements/{movement.movement_no}/return/", {"comment": ""}, follow=True)
    assert "差戻しの理由（直してほしい点）を入力してください。" in response.content.decode()
    response = review.post(
        f"/registry/movements/{movement.movement_no}/return/", {"comment": NUMBER_IN_TEXT}, follow=True
    )
    assert "個人番号と思われる12桁の番号" in response.content.decode()
    response = review.post(
        f"/registry/movements/{movement.movement_no}/return/", {"comment": "番地は1番地です。"}, follow=True
    )
    assert f"{movement.movement_no} を入力者（{counter}）に差し戻しました。" in response.content.decode()
    # the clerk: on the home page, then the movement, then the entry screen to correct it
    clerk = _client(counter, terminal)
    home = clerk.get("/").content.decode()
    assert "差し戻された異動（1件）" in home and "番地は1番地です。" in home
    assert "番地は1番地です。" in clerk.get("/registry/returned/").content.decode()
    returned = clerk.get(f"/registry/movements/{movement.movement_no}/").content.decode()
    assert "差し戻されています" in returned and "Alt+U" in returned
    url = html.unescape(re.search(r'href="([^"]+)" data-shortcut="Alt\+U"', returned).group(1))  # type: ignore[union-attr]
    assert url.startswith("/registry/movements/new/relocation/?") and f"household={household_no}" in url
    form = clerk.get(url).content.decode()
    assert form.count("checked") >= 2  # both persons chosen again
    assert "番地は1番地です。" in form and f'name="replaces" value="{movement.movement_no}"' in form
    assert "令和8年11月25日" in form and 'value="上尾市原市9番地"' in form  # the 異動日 and the address again
    post = {
        "household": household_no,
        "replaces": movement.movement_no,
        "effective": "令和8年11月25日",
        "notified_on": "令和8年11月26日",
        "atena_nos": [head_no, son_no],
        "destination_mode": "same",
        "addr-address": "埼玉県上尾市原市1番地",
        "addr-postcode": "3620021",
    }
    response = clerk.post("/registry/movements/new/relocation/", post, follow=True)
    text = response.content.decode()
    assert f"（差し戻された {movement.movement_no} を修正）" in text, text[:3000]
    movement.refresh_from_db()
    assert movement.state == Movement.State.DISCARDED
    fixed = Movement.objects.get(replaces=movement)
    assert review.post(f"/registry/movements/{fixed.movement_no}/approve/").status_code == 302
    assert Resident.objects.get(atena_no=son_no).address == "埼玉県上尾市原市1番地"
    assert "差し戻された異動" not in clerk.get("/").content.decode()


def test_the_clerk_resubmits_from_the_screen_and_others_cannot(
    counter: User, reviewer: User, terminal: Terminal, other_terminal: Terminal
) -> None:
    movement = enter_movement("move_in", move_in_data(), by=counter)
    return_movement(movement, "確認してください。", by=reviewer)
    review = _client(reviewer, other_terminal)
    page = review.get(f"/registry/movements/{movement.movement_no}/").content.decode()
    assert "Alt+S" not in page and "Alt+U" not in page  # only the entering clerk corrects
    assert review.post(f"/registry/movements/{movement.movement_no}/resubmit/").status_code == 403
    clerk = _client(counter, terminal)
    response = clerk.post(f"/registry/movements/{movement.movement_no}/resubmit/", follow=True)
    assert f"{movement.movement_no} を再提出しました。" in response.content.decode()
    assert (
        "前回の差戻しの理由: 確認してください。"
        in review.get(f"/registry/movements/{movement.movement_no}/").content.decode()
    )
    # a replaces= that is not the clerk's returned movement is ignored (a plain entry)
    assert (
        'name="replaces"'
        not in clerk.get(f"/registry/movements/new/move_in/?replaces={movement.movement_no}").content.decode()
    )
    assert clerk.post(f"/registry/movements/{movement.movement_no}/return/", {"comment": "x"}).status_code == 403
