"""宛名連携 feed (spec 7.2.1; docs/number-exchange.md): a department's business system reads the
full extract and then the changes of the 宛名 it is allowed, page by page with a cursor; every
answer is signed with our key."""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from jumin.accounts.models import User
from jumin.accounts.services import add_linked_system
from jumin.audit.models import AccessLog
from jumin.integrated_atena.api import feed_message
from jumin.integrated_atena.models import FEED_ITEMS, Business, BusinessGrant
from jumin.integrated_atena.services import grant, integrate_residents, link_business
from jumin.linkage import signing
from jumin.linkage.models import OutboxMessage
from jumin.registry.models import Resident
from tests.conftest import make_operator
from tests.registry.conftest import final, move_in_data, person

pytestmark = [pytest.mark.django_db, pytest.mark.spec("7.2.1", partial=True)]


@pytest.fixture
def key_dir(tmp_path: Path, settings: Any) -> Path:
    settings.JUMIN_JUKINET_KEY_DIR = str(tmp_path)
    return tmp_path


def _admin() -> User:
    return User.objects.filter(username="kanri").first() or make_operator("kanri", "管理 者", roles=("システム管理者",))


def _department(
    business: str = Business.CHILD_ALLOWANCE,
    *,
    feed: bool = True,
    code: str = "JIDOU",
    items: tuple[str, ...] = tuple(FEED_ITEMS),
) -> dict[str, str]:
    system, key = add_linked_system(code, "部署の業務システム", [])
    grant(business, affairs=[], may_read_feed=feed, feed_items=items, system=system, by=_admin())
    return {"Authorization": f"Bearer {key}"}


def _link(business: str, given: str, own_no: str) -> Resident:
    """The department's clerk links its own 宛名番号 to the resident named ``given`` (numbered in
    the 団体内統合宛名 first, as the 副本 update does)."""
    resident = Resident.objects.get(given_name=given)
    integrate_residents([resident])
    clerk = User.objects.filter(username=f"clerk-{business}").first()
    if clerk is None:
        clerk = make_operator(f"clerk-{business}", "部署 職員", roles=())
        grant(business, affairs=[], user=clerk, by=_admin())
    link_business(business, own_no, resident.atena_no, by=clerk)
    return resident


def _get(path: str, headers: dict[str, str]) -> Any:
    response = Client().get(path, headers=headers)
    if response.status_code == 200:
        kid, timestamp, signature = (response[h] for h in ("X-Jumin-Key-Id", "X-Jumin-Timestamp", "X-Jumin-Signature"))
        public = signing.own_key().public_key()
        assert kid == signing.key_id(public)
        public.verify(
            base64.urlsafe_b64decode(signature),
            feed_message(path.split("?", maxsplit=1)[0], timestamp, kid, response.content),
        )
    return response


def _move_in(counter: User, reviewer: User, given: str, kana: str, address: str) -> None:
    data = move_in_data(
        person(given_name=given, furigana_given_name=kana), address={"address": address, "postcode": "3620014"}
    )
    final("move_in", data, counter, reviewer)


def test_full_extract_then_changes_with_a_cursor(counter: User, reviewer: User, key_dir: Path) -> None:
    _move_in(counter, reviewer, "一郎", "イチロウ", "埼玉県上尾市本町一丁目1番1号")
    _move_in(counter, reviewer, "二郎", "ジロウ", "埼玉県上尾市本町二丁目1番1号")
    headers = _department()
    _link(Business.CHILD_ALLOWANCE, "一郎", "800001")
    _link(Business.CHILD_ALLOWANCE, "二郎", "800002")

    first = _get("/api/v1/atena-feed/full?business=child_allowance&limit=1", headers)
    assert first.status_code == 200, first.content
    page = first.json()
    assert len(page["persons"]) == 1 and page["next"] == page["persons"][0]["atena_no"]
    second = _get(f"/api/v1/atena-feed/full?business=child_allowance&limit=1&after={page['next']}", headers).json()
    third = _get(f"/api/v1/atena-feed/full?business=child_allowance&limit=1&after={second['next']}", headers).json()
    assert {p["name"] for p in page["persons"] + second["persons"]} == {"上尾\u3000一郎", "上尾\u3000二郎"}
    assert third == {"persons": [], "next": "", "changes_from": page["changes_from"]}

    _move_in(counter, reviewer, "三郎", "サブロウ", "埼玉県上尾市本町三丁目1番1号")
    _link(Business.CHILD_ALLOWANCE, "三郎", "800003")
    cursor = page["changes_from"]
    delta = _get(f"/api/v1/atena-feed/changes?business=child_allowance&after={cursor}", headers).json()
    assert [c["person"]["name"] for c in delta["changes"]] == ["上尾\u3000三郎"]
    assert delta["next"] > cursor
    assert _get(f"/api/v1/atena-feed/changes?business=child_allowance&after={delta['next']}", headers).json() == {
        "changes": [],
        "next": delta["next"],
    }

    ack = Client().post(
        "/api/v1/atena-feed/ack",
        {"business": "child_allowance", "seq": delta["next"]},
        content_type="application/json",
        headers=headers,
    )
    assert ack.status_code == 200 and ack.json()["marked"] == 3, "every reader passed them: marked sent"
    assert not OutboxMessage.objects.filter(destination="atena", state="pending").exists()


def test_a_row_stays_pending_until_every_reader_passed_it(counter: User, reviewer: User, key_dir: Path) -> None:
    _move_in(counter, reviewer, "一郎", "イチロウ", "埼玉県上尾市本町一丁目1番1号")
    child = _department()
    _department(Business.HEALTH_CARE, code="KENKO")
    last = OutboxMessage.objects.filter(destination="atena").latest("seq").seq
    ack = Client().post(
        "/api/v1/atena-feed/ack",
        {"business": "child_allowance", "seq": last},
        content_type="application/json",
        headers=child,
    )
    assert ack.json()["marked"] == 0, "健康管理 has not read it yet"


def test_only_a_business_system_allowed_the_feed_reads_it(key_dir: Path, logged_in_client: Client) -> None:
    without = _department(feed=False)
    assert _get("/api/v1/atena-feed/full?business=child_allowance", without).status_code == 403
    other = _department(Business.HEALTH_CARE, code="KENKO")
    assert _get("/api/v1/atena-feed/full?business=child_allowance", other).status_code == 403
    assert (
        _get("/api/v1/atena-feed/changes?business=health_care&limit=5000", other).json()["code"]
        == "atena_feed.bad_limit"
    )
    assert logged_in_client.get("/api/v1/atena-feed/full?business=child_allowance").status_code == 403


def test_a_department_gets_only_its_own_persons_and_the_items_it_is_allowed(
    counter: User, reviewer: User, key_dir: Path
) -> None:
    _move_in(counter, reviewer, "一郎", "イチロウ", "埼玉県上尾市本町一丁目1番1号")
    _move_in(counter, reviewer, "二郎", "ジロウ", "埼玉県上尾市本町二丁目1番1号")
    child = _department(items=("name", "birth"))
    health = _department(Business.HEALTH_CARE, code="KENKO")
    ichiro = _link(Business.CHILD_ALLOWANCE, "一郎", "800001")
    jiro = _link(Business.HEALTH_CARE, "二郎", "700002")

    full = _get("/api/v1/atena-feed/full?business=child_allowance", child)
    (line,) = full.json()["persons"]
    assert line["atena_no"] == ichiro.atena_no and line["business_atena_no"] == "800001"
    assert set(line) == {"atena_no", "integrated_no", "business_atena_no", "name", "birth"}
    body = full.content.decode()
    assert "二郎" not in body and jiro.atena_no not in body, "another department's person never appears"
    assert "本町" not in body and "3620014" not in body and "ジロウ" not in body, "a disallowed item never appears"
    (other,) = _get("/api/v1/atena-feed/full?business=health_care", health).json()["persons"]
    assert other["atena_no"] == jiro.atena_no and other["address"].startswith("埼玉県上尾市本町二丁目")
    logged = AccessLog.objects.filter(purpose="atena_feed.full").order_by("id").first()
    assert logged is not None and logged.result_count == 1, "the access log names only what was given"

    cursor = full.json()["changes_from"]
    _move_in(counter, reviewer, "三郎", "サブロウ", "埼玉県上尾市本町三丁目1番1号")
    final("death", {"atena_nos": [jiro.atena_no], "effective": "R8.11.26"}, counter, reviewer)
    final("death", {"atena_nos": [ichiro.atena_no], "effective": "R8.11.27"}, counter, reviewer)
    delta = _get(f"/api/v1/atena-feed/changes?business=child_allowance&after={cursor}", child)
    (change,) = delta.json()["changes"]
    assert change["person"]["atena_no"] == ichiro.atena_no
    assert set(change["person"]) == {"atena_no", "integrated_no", "business_atena_no", "name", "birth"}
    assert "三郎" not in delta.content.decode() and "二郎" not in delta.content.decode()
    assert delta.json()["next"] > cursor, "the cursor moves past what is not for this reader"
    (health_change,) = _get(f"/api/v1/atena-feed/changes?business=health_care&after={cursor}", health).json()["changes"]
    assert health_change["person"]["atena_no"] == jiro.atena_no


def test_a_grant_refuses_an_unknown_item(key_dir: Path) -> None:
    system, _ = add_linked_system("JIDOU", "児童手当システム", [])
    from jumin.core.errors import DomainError

    with pytest.raises(DomainError) as refused:
        grant(
            Business.CHILD_ALLOWANCE, may_read_feed=True, feed_items=["individual_number"], system=system, by=_admin()
        )
    assert refused.value.code == "integrated_atena.unknown_item"
    assert not BusinessGrant.objects.exists()
