"""The 申請管理 screens over HTTP (Django's client against the real views, the simulators on
real ports): the list and its filters, the detail per 手続, the bulk 処理状況 with the
自治体コメント reaching the resident, and an online 転出届 becoming a 特例転出 — 仮登録 from
the pre-filled screen, 本登録 by another person, the 転出証明書情報 built, the status back."""

from __future__ import annotations

import json
import re
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from peers.eapplication import RunningSimulator

from jumin.accounts.models import Terminal, User
from jumin.applications.models import Application, Status, StatusUpdate
from jumin.applications.services import enter_move_in, follow_movements, import_applications, send_statuses
from jumin.audit.models import AccessLog
from jumin.conf.domain import era_table
from jumin.jukinet.models import Telegram
from jumin.jukinet.move_out_certificates import entry_initial, receive_move_out_certificate
from jumin.jukinet.services import build_from_outbox
from jumin.registry.models import Movement, Resident
from jumin.registry.services import approve_movement
from peers import jpki
from tests.applications.conftest import advance_certificate, call, issue, move_in_data, move_out_form, submit
from tests.conftest import device_cookie, log_in, make_operator

pytestmark = pytest.mark.django_db


def _client(user: User, terminal: Terminal) -> Client:
    client = Client()
    client.cookies["jumin_terminal"] = device_cookie(terminal)
    return log_in(client, user)


def _statuses(portal: RunningSimulator, application_id: str) -> list[dict[str, str]]:
    status, raw = call(portal.url, f"/resident/applications/{application_id}")
    assert status == 200
    return list(json.loads(raw)["statuses"])


def test_list_detail_and_bulk_status_with_a_comment_for_the_resident(
    portal: RunningSimulator,
    authority: jpki.RunningSimulator,
    family: list[Resident],
    counter: User,
    terminal: Terminal,
) -> None:
    card = issue(authority)
    first, second, gone = submit(portal, card), submit(portal, card), submit(portal, card)
    call(portal.url, f"/resident/applications/{gone}/withdraw", {})
    import_applications()
    client = _client(counter, terminal)

    page = client.get("/applications/").content.decode()
    assert all(a in page for a in (first, second, gone)) and "取下げ" in page and "重複の可能性" in page
    listed = AccessLog.objects.filter(purpose="電子申請の一覧").latest("id")
    assert listed.persons == [family[0].atena_no] * 3 and listed.result_count == 3
    filtered = client.get("/applications/", {"status": "withdrawn"}).content.decode()
    assert f'data-application="{gone}"' in filtered and f'data-application="{first}"' not in filtered
    assert client.get("/applications/", {"received_from": "あいう"}).status_code == 200

    detail = client.get(f"/applications/{first}/").content.decode()
    assert "署名検証OK" in detail and "一致" in detail and "東京都港区芝公園4丁目2番8号" in detail
    viewed = AccessLog.objects.filter(purpose="電子申請の照会").latest("id")
    assert viewed.persons == [family[0].atena_no] and viewed.criteria == {"application_id": first}
    assert client.get("/applications/EA99999999/").status_code == 404

    comment = "添付の本人確認書類が読み取れません。再提出してください。"
    response = client.post(
        "/applications/status/", {"ids": [first, second, gone], "status": "returned", "comment": comment}, follow=True
    )
    page = response.content.decode()
    assert "2件の処理状況を「返戻（補正依頼）」にしました" in page and f"{gone}：取下げのため変更できません" in page
    assert Application.objects.get(application_id=first).status == Status.RETURNED
    refused = client.post("/applications/status/", {"ids": [first], "status": "accepted", "comment": "123456789018"})
    assert refused.status_code == 302 and Application.objects.get(application_id=first).status == Status.RETURNED

    result = send_statuses()
    assert (result.sent, result.failed) == (2, 0)
    assert _statuses(portal, first) == [
        {
            "update_id": StatusUpdate.objects.get(application__application_id=first).update_id,
            "application_id": first,
            "status": "returned",
            "comment": comment,
        }
    ]
    assert send_statuses().sent == 0, "sent once"


def test_screens_are_permission_checked(
    portal: RunningSimulator, authority: jpki.RunningSimulator, family: list[Resident], terminal: Terminal
) -> None:
    application_id = submit(portal, issue(authority))
    import_applications()
    viewer = _client(make_operator("tabu", "他部署 一郎", roles=("他部署照会",)), terminal)
    assert viewer.get("/applications/").status_code == 200
    assert 'name="ids"' not in viewer.get("/applications/").content.decode()
    assert viewer.post("/applications/status/", {"ids": [application_id], "status": "accepted"}).status_code == 403
    assert viewer.get(f"/applications/{application_id}/move-out/").status_code == 403
    nobody = _client(make_operator("nanimo", "権限 なし", roles=("監査",)), terminal)
    assert nobody.get("/applications/").status_code == 403
    assert nobody.get(f"/applications/{application_id}/").status_code == 403


@pytest.mark.spec("4.1.3.0.4", partial=True)
def test_an_online_move_out_becomes_a_special_move_out(
    portal: RunningSimulator,
    authority: jpki.RunningSimulator,
    family: list[Resident],
    counter: User,
    reviewer: User,
    terminal: Terminal,
    other_terminal: Terminal,
) -> None:
    members = [
        {"name": "上尾 太郎", "relationship": "世帯主", "birth": "昭和55年4月1日"},
        {"name": "上尾 花子", "relationship": "妻", "birth": "昭和57年5月5日"},
    ]
    application_id = submit(portal, issue(authority), form=move_out_form(members=members))
    import_applications()
    client = _client(counter, terminal)
    url = f"/applications/{application_id}/move-out/"
    assert f'href="{url}"' in client.get(f"/applications/{application_id}/").content.decode()

    page = client.get(url).content.decode()
    assert "東京都港区芝公園4丁目2番8号" in page and "13103001000" in page
    checked = re.findall(r'name="atena_nos" value="(\d+)"[^>]*checked', page)
    assert sorted(checked) == sorted(r.atena_no for r in family)
    assert re.search(r'name="special_move_out"[^>]*checked', page)
    effective = re.search(r'name="effective"[^>]*value="([^"]+)"', page)
    notified = re.search(r'name="notified_on"[^>]*value="([^"]+)"', page)
    assert effective and notified

    post = {
        "household": family[0].household_no,
        "atena_nos": [r.atena_no for r in family],
        "effective": effective.group(1),
        "notified_on": notified.group(1),
        "reason": "domestic_move_out",
        "initiation": "notification",
        "special_move_out": "on",
        "addr-address": "東京都港区芝公園4丁目2番8号",
        "addr-postcode": "1050011",
        "addr-address_code": "13103001000",
    }
    response = client.post(url, post)
    assert response.status_code == 302, response.content.decode()
    stored = Application.objects.get(application_id=application_id)
    assert stored.movement is not None and stored.movement.state == Movement.State.PROVISIONAL
    assert stored.status == Status.IN_REVIEW
    listed = client.get("/applications/").content.decode()
    assert f"{stored.movement.movement_no} 仮登録" in listed
    assert client.post(url, post).status_code == 400, "entered once"

    assert follow_movements() == 0, "waits for the 本登録"
    approver = _client(reviewer, other_terminal)
    assert approver.post(f"/registry/movements/{stored.movement.movement_no}/approve/").status_code == 302
    assert follow_movements() == 1
    stored.refresh_from_db()
    assert stored.status == Status.COMPLETED
    assert send_statuses().sent == 2
    assert [s["status"] for s in _statuses(portal, application_id)] == ["in_review", "completed"]

    assert build_from_outbox().certificates == 2, "the 転出証明書情報 of both, for the new municipality"
    assert Telegram.objects.filter(kind=Telegram.Kind.MOVE_OUT_CERTIFICATE, destination="municipality:131032").count()


@pytest.mark.spec("4.1.1.3", partial=True)
def test_a_move_in_reservation_pre_fills_the_special_move_in(
    portal: RunningSimulator,
    authority: jpki.RunningSimulator,
    counter: User,
    reviewer: User,
    terminal: Terminal,
) -> None:
    today = timezone.localdate()
    card = issue(
        authority,
        name="芝\u3000花子",
        address="東京都港区芝公園4丁目2番8号",
        birth="昭和60年5月5日",
        sex="女",
        individual_number="234567890121",
    )
    form = {
        "name": "芝　花子",
        "birth": "昭和60年5月5日",
        "planned_move_in_on": (today - timedelta(days=1)).isoformat(),
        "visit_on": today.isoformat(),
        "new_address": {"address": "埼玉県上尾市本町三丁目5番5号", "postcode": "3620014", "katagaki": "上尾ハイツ101"},
        "former_municipality_code": "131032",
    }
    application_id = submit(portal, card, "move_in_reservation", form)
    import_applications()
    client = _client(counter, terminal)
    listed = client.get("/applications/", {"procedure": "move_in_reservation"}).content.decode()
    assert application_id in listed and era_table().format(today) in listed, "the 来庁予定日 in the list"
    detail = client.get(f"/applications/{application_id}/").content.decode()
    assert "まだ届いていません" in detail

    certificate = receive_move_out_certificate(advance_certificate(today - timedelta(days=3)))
    detail = client.get(f"/applications/{application_id}/").content.decode()
    url = f"/applications/{application_id}/move-in/{certificate.pk}/"
    assert f'href="{url}"' in detail
    page = client.get(url).content.decode()
    assert "埼玉県上尾市本町三丁目5番5号" in page and "上尾ハイツ101" in page, "the reservation's 新住所"
    assert era_table().format(today - timedelta(days=1)) in page, "転入日 = 転入予定日"
    assert "東京都港区芝公園4丁目2番8号" in page and "シバ" in page, "the certificate's items"
    assert client.get(f"/applications/{application_id}/move-in/999999/").status_code == 404

    initial = entry_initial([certificate])
    data = move_in_data(
        *[{k: v for k, v in p.items() if v} for p in initial["persons"]],
        effective=(today - timedelta(days=1)).isoformat(),
        notified_on=today.isoformat(),
        previous_address=initial["previous"],
        address={"address": "埼玉県上尾市本町三丁目5番5号", "postcode": "3620014"},
    )
    movement = enter_move_in(application_id, [certificate.pk], data, by=counter, acknowledged=["household.no_head"])
    stored = Application.objects.get(application_id=application_id)
    assert stored.movement == movement and stored.status == Status.IN_REVIEW
    approve_movement(movement, by=reviewer)
    assert follow_movements() == 1
    assert send_statuses().sent == 2
    assert [s["status"] for s in _statuses(portal, application_id)] == ["in_review", "completed"]
