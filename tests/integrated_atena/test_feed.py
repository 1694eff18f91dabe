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
from jumin.integrated_atena.api import feed_message
from jumin.integrated_atena.models import Business
from jumin.integrated_atena.services import grant
from jumin.linkage import signing
from jumin.linkage.models import OutboxMessage
from tests.conftest import make_operator
from tests.registry.conftest import final, move_in_data, person

pytestmark = [pytest.mark.django_db, pytest.mark.spec("7.2.1", partial=True)]


@pytest.fixture
def key_dir(tmp_path: Path, settings: Any) -> Path:
    settings.JUMIN_JUKINET_KEY_DIR = str(tmp_path)
    return tmp_path


def _department(business: str = Business.CHILD_ALLOWANCE, *, feed: bool = True, code: str = "JIDOU") -> dict[str, str]:
    admin = User.objects.filter(username="kanri").first() or make_operator(
        "kanri", "管理 者", roles=("システム管理者",)
    )
    system, key = add_linked_system(code, "児童手当システム", [])
    grant(business, affairs=[], may_read_feed=feed, system=system, by=admin)
    return {"Authorization": f"Bearer {key}"}


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

    first = _get("/api/v1/atena-feed/full?business=child_allowance&limit=1", headers)
    assert first.status_code == 200, first.content
    page = first.json()
    assert len(page["persons"]) == 1 and page["next"] == page["persons"][0]["atena_no"]
    second = _get(f"/api/v1/atena-feed/full?business=child_allowance&limit=1&after={page['next']}", headers).json()
    third = _get(f"/api/v1/atena-feed/full?business=child_allowance&limit=1&after={second['next']}", headers).json()
    assert {p["name"] for p in page["persons"] + second["persons"]} == {"上尾\u3000一郎", "上尾\u3000二郎"}
    assert third == {"persons": [], "next": "", "changes_from": page["changes_from"]}

    _move_in(counter, reviewer, "三郎", "サブロウ", "埼玉県上尾市本町三丁目1番1号")
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
