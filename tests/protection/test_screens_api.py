"""The officer's screens and the API of 支援措置 and 抑止 (spec 2.2.4, 3.1, 3.4, 9.2)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from jumin.accounts.models import Terminal, User
from jumin.accounts.services import add_linked_system
from jumin.audit.models import AccessLog
from jumin.protection.models import Block, ProtectionDecision, SupportMeasure
from jumin.registry.models import Resident
from tests.conftest import device_cookie, log_in

pytestmark = pytest.mark.django_db


def _client(user: User, terminal: Terminal) -> Client:
    client = Client()
    client.cookies["jumin_terminal"] = device_cookie(terminal)
    return log_in(client, user)


def _post_json(client: Client, path: str, body: dict[str, Any] | None = None, **extra: Any) -> Any:
    return client.post(path, body or {}, content_type="application/json", **extra)


@pytest.mark.spec("3.4", "1.1.16", "9.2", partial=True)
def test_officer_receives_reviews_and_ends_a_measure_on_screen(
    officer: User, clerk: User, terminal: Terminal, family: dict[str, Resident]
) -> None:
    web = _client(officer, terminal)
    home = web.get("/").content.decode()
    assert "支援措置" in home and 'href="/protection/"' in home
    mother, child = family["mother"].atena_no, family["child"].atena_no
    form = web.get(f"/protection/measures/new/?person={mother}")
    assert form.status_code == 200 and mother in form.content.decode()
    data = {
        "kind": "dv",
        "applicant_atena_no": mother,
        "accompanying": child,
        "start_on": "R8.4.1",
        "restrict_inspection": "on",
        "restrict_copy_current": "on",
        "restrict_copy_former": "on",
        "offender_name": "北本　次郎",
        "offender_atena_no": family["offender"].atena_no,
        "reason": "警察署の意見あり",
    }
    bad = web.post("/protection/measures/new/", {**data, "start_on": "あした"})
    assert bad.status_code == 200 and "日付として読み取れません" in bad.content.decode()
    response = web.post("/protection/measures/new/", data)
    assert response.status_code == 302, response.content.decode()
    measure = SupportMeasure.objects.get()
    page = web.get(response["Location"]).content.decode()
    assert "令和8年4月1日 〜 令和9年3月31日" in page  # R8.4.1 → R9.3.31
    assert "桶川　花子" in page and "北本　次郎" in page and "支援措置の登録" in page
    # too early to extend
    assert "延長は終了日の1か月前からできます" in page
    web.post(f"/protection/measures/{measure.measure_no}/extend/", {"reason": "延長"})
    measure.refresh_from_db()
    assert measure.end_on.isoformat() == "2027-03-31"
    # the list of blocked persons (9.2) and the jump from a 宛名番号
    listing = web.get("/protection/blocks/").content.decode()
    assert listing.count("抑止中") >= 4 and "桶川　一郎" in listing
    assert web.get(f"/protection/?person={mother}")["Location"] == f"/protection/person/{mother}/"
    person_page = web.get(f"/protection/person/{mother}/").content.decode()
    assert "支援措置中" in person_page and measure.measure_no in person_page
    # examination, then a temporary release of the certificate block
    block = Block.objects.get(measure=measure, target_no=mother, process="certificate")
    web.post(
        f"/protection/blocks/{block.pk}/temporary/",
        {"reason": "本人の請求、本人確認済み", "minutes": "10", "next": f"/protection/person/{mother}/"},
    )
    block.refresh_from_db()
    assert block.temporarily_released()
    web.post(f"/protection/blocks/{block.pk}/restore/", {})
    block.refresh_from_db()
    assert block.in_effect()
    # termination with a reason lifts the blocks
    web.post(f"/protection/measures/{measure.measure_no}/terminate/", {"end_reason": "request", "reason": "本人の申出"})
    measure.refresh_from_db()
    assert measure.state == "ended" and not Block.objects.filter(measure=measure, released_at__isnull=True).exists()
    assert ProtectionDecision.objects.filter(measure=measure, action="measure.terminated", reason="本人の申出").exists()
    # a clerk has neither the menu entry nor the screens
    counter_web = _client(clerk, terminal)
    assert 'href="/protection/"' not in counter_web.get("/").content.decode()
    assert counter_web.get("/protection/").status_code == 403
    assert counter_web.get(f"/protection/measures/{measure.measure_no}/").status_code == 403


@pytest.mark.spec("3.1", partial=True)
def test_blocks_are_set_and_released_on_screen(officer: User, terminal: Terminal, family: dict[str, Resident]) -> None:
    web = _client(officer, terminal)
    target = family["offender"].atena_no
    assert web.get(f"/protection/blocks/new/?target={target}").status_code == 200
    response = web.post(
        "/protection/blocks/new/",
        {"scope": "person", "target_no": target, "process": "movement", "level": "alert", "reason": "実態調査中"},
    )
    assert response.status_code == 302
    block = Block.objects.get(target_no=target)
    web.post(f"/protection/blocks/{block.pk}/release/", {"reason": ""})
    block.refresh_from_db()
    assert not block.released
    web.post(f"/protection/blocks/{block.pk}/release/", {"reason": "調査終了"})
    block.refresh_from_db()
    assert block.released and block.release_reason == "調査終了"
    assert "抑止はありません" in web.get("/protection/blocks/").content.decode()
    assert "調査終了" not in web.get("/protection/blocks/").content.decode()
    assert "実態調査中" in web.get("/protection/blocks/?released=1").content.decode()


@pytest.mark.spec("2.2.4", "3.4", partial=True)
def test_api_marks_check_and_decisions(
    officer: User, clerk: User, terminal: Terminal, other_terminal: Terminal, family: dict[str, Resident]
) -> None:
    api = _client(officer, terminal)
    mother, child, offender = (family[k].atena_no for k in ("mother", "child", "offender"))
    created = _post_json(
        api,
        "/api/v1/protection/measures",
        {
            "kind": "stalking",
            "applicant_atena_no": mother,
            "accompanying": [child],
            "start_on": "2026-04-01",
            "reason": "申出書受理",
            "is_provisional": True,
            "first_receiving_municipality": "桶川市",
            "offenders": [{"name": "北本　次郎", "atena_no": offender}],
        },
    )
    assert created.status_code == 201, created.content.decode()
    measure = created.json()
    assert measure["label"] == "仮支援措置中" and measure["end_on"] == "2027-03-31"
    assert sorted(measure["persons"]) == sorted([mother, child])
    bad = _post_json(api, "/api/v1/protection/measures", {"kind": "dv", "start_on": "2026-04-01", "reason": "x"})
    assert bad.status_code == 400 and bad.json()["code"] == "support_measure.person_not_found"

    # the counter: marks and check
    counter = _client(clerk, other_terminal)
    marks = counter.get(f"/api/v1/protection/marks?atena_nos={mother},{offender}").json()
    assert marks[mother][0]["label"] == "仮支援措置中" and marks[offender] == []
    refused = counter.get(f"/api/v1/protection/check?process=certificate&atena_no={mother}").json()
    assert refused["outcome"] == "refuse" and refused["measure_nos"] == [measure["measure_no"]]
    assert counter.get(f"/api/v1/protection/check?process=certificate&atena_no={offender}").json()["outcome"] == "allow"
    assert counter.get("/api/v1/protection/check?process=bogus&atena_no=1").status_code == 400
    assert counter.get("/api/v1/protection/blocks").status_code == 403
    assert _post_json(counter, "/api/v1/protection/blocks", {"target_no": offender}).status_code == 403

    # コンビニ交付 asks with its key; it cannot decide anything
    _, key = add_linked_system("KONBINI", "コンビニ交付システム", ["issue_certificate"])
    bearer = {"HTTP_AUTHORIZATION": f"Bearer {key}"}
    konbini = Client().get(f"/api/v1/protection/check?process=certificate&atena_no={child}", **bearer)
    assert konbini.json()["outcome"] == "refuse"
    assert AccessLog.objects.filter(client="KONBINI", purpose="api.protection.check", persons=[child]).exists()
    assert _post_json(Client(), "/api/v1/protection/blocks", {"target_no": offender}, **bearer).status_code == 403

    # blocks through the API: set, temporary release, release
    block = _post_json(
        api,
        "/api/v1/protection/blocks",
        {"target_no": offender, "process": "inquiry", "level": "error", "reason": "照会の抑止"},
    )
    assert block.status_code == 201, block.content.decode()
    block_id = block.json()["id"]
    temporary = _post_json(
        api, f"/api/v1/protection/blocks/{block_id}/temporary-release", {"reason": "確認", "minutes": 5}
    ).json()
    assert temporary["temporarily_released_until"] and not temporary["in_effect"]
    released = _post_json(api, f"/api/v1/protection/blocks/{block_id}/release", {"reason": "不要"}).json()
    assert released["released"] is True
    listed = api.get("/api/v1/protection/blocks").json()
    assert {b["target_no"] for b in listed} == {mother, child}

    # measures, ending soon, termination
    assert [m["measure_no"] for m in api.get("/api/v1/protection/measures").json()] == [measure["measure_no"]]
    assert api.get("/api/v1/protection/measures?ending_soon=true").json() == []
    assert api.get(f"/api/v1/protection/measures/{measure['measure_no']}").json()["phase"] == "running"
    early = _post_json(api, f"/api/v1/protection/measures/{measure['measure_no']}/extend", {"reason": "延長"})
    assert early.status_code == 400 and early.json()["code"] == "support_measure.extension_too_early"
    ended = _post_json(
        api,
        f"/api/v1/protection/measures/{measure['measure_no']}/terminate",
        {"end_reason": "not_needed", "reason": "支援の必要なし"},
    ).json()
    assert ended["state"] == "ended" and ended["end_reason"] == "not_needed"
    assert counter.get(f"/api/v1/protection/check?process=certificate&atena_no={mother}").json()["outcome"] == "allow"
