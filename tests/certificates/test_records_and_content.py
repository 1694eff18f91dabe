"""Certificates and the person's records (issue 14 item 4): the 届出日 of a loaded history row,
the 除票 of a re-entrant or 改製 person, the 写し of the current record only, 個別事項, the
転出証明書's QR, and 再交付 from the sealed issued content.  Text read back with pdfplumber."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from jumin.accounts.models import Terminal, User
from jumin.accounts.principal import Principal
from jumin.certificates import services
from jumin.certificates.models import Certifier
from jumin.certificates.services import IssueRequest
from jumin.core.errors import DomainError
from jumin.registry.models import Resident
from tests.certificates.test_issue import clerk, joined, mayor  # noqa: F401  (fixtures)
from tests.registry.conftest import final, move_in_data, person

pytestmark = pytest.mark.db

DESTINATION = {"address": "東京都港区芝公園4丁目2番8号"}


def self_request(resident: Resident, **overrides: Any) -> IssueRequest:
    data: dict[str, Any] = {
        "kind": "copy",
        "atena_no": resident.atena_no,
        "route": "self",
        "requester_name": "上尾　太郎",
        "requester_atena_no": resident.atena_no,
        "id_document": "mynumber_card",
    }
    data.update(overrides)
    return IssueRequest(**data)


@pytest.fixture
def taro(counter: User, reviewer: User) -> Resident:
    final("move_in", move_in_data(person()), counter, reviewer)
    return Resident.objects.get()


def came_back(taro: Resident, counter: User, reviewer: User) -> Resident:
    """太郎 moved out to 港区 and came back (再転入) to 原市: one 宛名番号, two records."""
    final(
        "move_out",
        {"atena_nos": [taro.atena_no], "effective": "R8.11.22", "notified_on": "R8.11.22", "destination": DESTINATION},
        counter,
        reviewer,
    )
    final(
        "move_in",
        move_in_data(
            {"reentry_of": taro.atena_no, "relationship": "世帯主"},
            effective="R8.11.27",
            notified_on="R8.11.28",
            previous_address=DESTINATION,
            address={"address": "埼玉県上尾市原市2番地", "postcode": "3620021"},
        ),
        counter,
        reviewer,
    )
    return Resident.objects.get(atena_no=taro.atena_no)


@pytest.mark.spec("20.1.3", "1.2.1")
def test_the_removed_record_of_a_person_who_came_back_can_be_issued(
    clerk: Principal,  # noqa: F811
    mayor: Certifier,  # noqa: F811
    taro: Resident,
    counter: User,
    reviewer: User,
    terminal: Terminal,
) -> None:
    back = came_back(taro, counter, reviewer)
    removed = self_request(back, kind="removed_copy", with_history=True)
    body = joined(services.issue(clerk, removed, terminal=terminal).pdfs[0])
    assert "住民票の除票の写し" in body
    assert "埼玉県上尾市本町三丁目1番1号" in body and "東京都港区芝公園4丁目2番8号へ国内転出" in body
    assert "埼玉県上尾市原市2番地" not in body  # the new stay is not on the 除票
    numbered = joined(services.issue(clerk, replace(removed, record_no=1), terminal=terminal).pdfs[0])
    assert "東京都港区芝公園4丁目2番8号へ国内転出" in numbered
    with pytest.raises(DomainError) as error:
        services.issue(clerk, replace(removed, record_no=2))  # the current record
    assert error.value.code == "certificate.record_not_found"
    with pytest.raises(DomainError) as error:
        services.issue(clerk, replace(removed, kind="copy", record_no=1))
    assert error.value.code == "certificate.record_no_kind"
    copy = joined(services.issue(clerk, self_request(back, with_history=True), terminal=terminal).pdfs[0])
    assert "埼玉県上尾市原市2番地" in copy
    assert "へ国内転出" not in copy and "東京都千代田区千代田1番1号から" not in copy  # former stay not printed
    item = replace(removed, kind="removed_item_certificate", certified_items=("address_set",), with_history=False)
    assert "住民票除票記載事項証明書" in joined(services.issue(clerk, item, terminal=terminal).pdfs[0])


@pytest.mark.spec("20.1.3")
def test_a_resident_without_a_removed_record_has_no_removed_copy(
    clerk: Principal,  # noqa: F811
    mayor: Certifier,  # noqa: F811
    taro: Resident,
) -> None:
    with pytest.raises(DomainError) as error:
        services.issue(clerk, self_request(taro, kind="removed_copy"))
    assert error.value.code == "certificate.not_removed"
    with pytest.raises(DomainError) as error:
        services.issue(clerk, self_request(taro, kind="removed_copy", record_no=1))
    assert error.value.code == "certificate.no_removed_record"
    with pytest.raises(DomainError) as error:
        services.issue(clerk, self_request(taro, kind="removed_copy", record_no=0))
    assert error.value.code == "certificate.record_not_found"


@pytest.mark.spec("20.1.1", "20.1.3", "1.2.1")
def test_after_a_rebuild_the_copy_prints_the_new_record_and_the_old_one_is_a_removed_copy(
    clerk: Principal,  # noqa: F811
    mayor: Certifier,  # noqa: F811
    taro: Resident,
    counter: User,
    reviewer: User,
    terminal: Terminal,
) -> None:
    final("rebuild", {"atena_nos": [taro.atena_no], "remark": "特別養子縁組による改製"}, counter, reviewer)
    copy = joined(services.issue(clerk, self_request(taro, with_history=True), terminal=terminal).pdfs[0])
    assert "改製" in copy
    assert "東京都千代田区千代田1番1号から" not in copy  # the old record's history
    old = joined(
        services.issue(clerk, self_request(taro, kind="removed_copy", with_history=True), terminal=terminal).pdfs[0]
    )
    assert "東京都千代田区千代田1番1号から" in old and "改製" in old


@pytest.mark.spec("20.1.1", "1.1.15")
def test_a_loaded_history_row_prints_its_own_notification_day(
    clerk: Principal,  # noqa: F811
    mayor: Certifier,  # noqa: F811
    terminal: Terminal,
) -> None:
    """A batch-loaded row (seed-city, 移行) prints the 届出日 of its event, not the load's."""
    from jumin.conf.domain import era_table
    from jumin.registry.models import ResidentHistory, Status
    from jumin.registry.seeding import TODAY, seed_city

    seed_city(12, seed=3)
    row = (
        ResidentHistory.objects.filter(
            movement__kind="migration",
            initiation="notification",
            atena_no__in=Resident.objects.filter(status=Status.CURRENT).values("atena_no"),
        )
        .exclude(notified_on=TODAY)
        .exclude(notified_on=None)
        .order_by("atena_no", "history_no")
        .first()
    )
    assert row is not None
    resident = Resident.objects.get(atena_no=row.atena_no)
    request = self_request(resident, with_history=True, requester_name=resident.name)
    body = joined(services.issue(clerk, request, terminal=terminal).pdfs[0])
    assert f"{era_table().format(row.notified_on)}届出".replace(" ", "") in body
    assert f"{era_table().format(TODAY)}届出" not in body


def moved_out(counter: User, reviewer: User, **who: Any) -> Resident:
    final("move_in", move_in_data(person(**who)), counter, reviewer)
    resident = Resident.objects.get()
    final(
        "move_out",
        {
            "atena_nos": [resident.atena_no],
            "effective": "R8.11.28",
            "notified_on": "R8.11.28",
            "destination": DESTINATION,
        },
        counter,
        reviewer,
    )
    return Resident.objects.get()


@pytest.mark.spec("1.1.8", "20.2.1")
def test_the_move_out_qr_carries_an_uncertain_birth_date_as_entered(
    mayor: Certifier,  # noqa: F811
    counter: User,
    reviewer: User,
    terminal: Terminal,
) -> None:
    from datetime import date

    from jumin.certificates import queries
    from jumin.core.move_out_qr import decode
    from tests.conftest import make_operator

    leaver = moved_out(counter, reviewer, birth="昭和55年頃")
    user = make_operator("tenshutsu", "転出 担当", roles=("証明書交付", "住民票コード事務", "個人番号利用事務"))
    target = queries.target(
        Principal(user=user), "move_out", leaver.atena_no, layout="individual", with_history=False, today=date.today()
    )
    text = queries.move_out_data(target)
    assert "1980-01-01" not in text
    _, (mover,) = decode(text)
    assert mover.birth == "昭和55年頃"
    body = joined(
        services.issue(Principal(user=user), self_request(leaver, kind="move_out"), terminal=terminal).pdfs[0]
    )
    assert "昭和55年頃" in body


PROGRAMS = {
    "nhi": {"insured": True, "acquired_on": "令和6年4月1日"},
    "pension": {"insured": True, "acquired_on": "R2.4.1", "category": "1", "basic_pension_no": "1234-567890"},
    "child_allowance": {"start_month": "2024-04"},
    "elector": {"registered": True},
}


def with_programs(resident: Resident, counter: User, reviewer: User) -> None:
    data = {"atena_no": resident.atena_no, "notifier": "保険年金課", "program_items": PROGRAMS}
    final("program_items", data, counter, reviewer)


@pytest.mark.spec("1.1.1", "5.1", "20.2.1")
def test_program_items_are_always_on_the_move_out_certificate(
    mayor: Certifier,  # noqa: F811
    counter: User,
    reviewer: User,
    terminal: Terminal,
) -> None:
    from tests.conftest import make_operator

    final("move_in", move_in_data(person()), counter, reviewer)
    resident = Resident.objects.get()
    with_programs(resident, counter, reviewer)
    final(
        "move_out",
        {
            "atena_nos": [resident.atena_no],
            "effective": "R8.11.28",
            "notified_on": "R8.11.28",
            "destination": DESTINATION,
        },
        counter,
        reviewer,
    )
    user = make_operator("tenshutsu", "転出 担当", roles=("証明書交付", "住民票コード事務", "個人番号利用事務"))
    body = joined(
        services.issue(Principal(user=user), self_request(resident, kind="move_out"), terminal=terminal).pdfs[0]
    )
    assert "国民健康保険" in body and "令和6年4月1日" in body
    assert "国民年金" in body and "基礎年金番号1234567890" in body
    assert "児童手当" in body and "令和6年4月" in body
    assert "選挙人名簿" not in body  # 9号 is not a certificate item


@pytest.mark.spec("1.1.1", "5.1")
def test_program_items_are_printed_on_request_by_an_operator_who_may_see_them(
    clerk: Principal,  # noqa: F811
    mayor: Certifier,  # noqa: F811
    taro: Resident,
    counter: User,
    reviewer: User,
    terminal: Terminal,
) -> None:
    from tests.conftest import make_operator

    with_programs(taro, counter, reviewer)
    plain = joined(services.issue(clerk, self_request(taro), terminal=terminal).pdfs[0])
    assert "国民健康保険" not in plain  # only when asked for
    asked = self_request(taro, items=("program_items",))
    with pytest.raises(DomainError) as error:
        services.issue(clerk, asked)  # a clerk who may not see the 基礎年金番号
    assert error.value.code == "certificate.item_forbidden"
    numbers = Principal(user=make_operator("kojin", "個人 番号", roles=("証明書交付", "個人番号利用事務")))
    body = joined(services.issue(numbers, asked, terminal=terminal).pdfs[0])
    assert "国民健康保険" in body and "基礎年金番号1234567890" in body
    third = self_request(taro, route="third_party", requester_atena_no="", purpose="訴訟", proof="訴状写し")
    with pytest.raises(DomainError) as error:
        services.issue(numbers, replace(third, items=("program_items",)))
    assert error.value.code == "certificate.item_not_allowed"
    certified = self_request(
        taro, kind="item_certificate", items=("program_items",), certified_items=("program_items",)
    )
    assert "国民年金" in joined(services.issue(numbers, certified, terminal=terminal).pdfs[0])


@pytest.mark.spec("1.3.8")
def test_reissue_reproduces_the_issued_content_not_todays_register(
    clerk: Principal,  # noqa: F811
    mayor: Certifier,  # noqa: F811
    taro: Resident,
    counter: User,
    reviewer: User,
    terminal: Terminal,
) -> None:
    first = services.issue(clerk, self_request(taro, with_history=True), terminal=terminal)
    original = first.issuances[0]
    assert original.content  # sealed, not readable as text
    assert "上尾".encode() not in bytes(original.content)
    came_back(taro, counter, reviewer)  # moved out and back to 原市 since
    again = services.reissue(clerk, original.issue_no, reason="紛失のため", terminal=terminal)
    body = joined(again.pdfs[0])
    assert "住民票の写し（再交付）" in body
    assert "埼玉県上尾市本町三丁目1番1号" in body and "原市" not in body and "へ国内転出" not in body
    row = again.issuances[0]
    assert row.reissue_of == original and row.issue_no != original.issue_no
    assert row.issue_no.replace(" ", "") in body.replace(" ", "")
    twice = joined(services.reissue(clerk, row.issue_no, reason="再度紛失", terminal=terminal).pdfs[0])
    assert "（再交付）（再交付）" not in twice and "住民票の写し（再交付）" in twice


@pytest.mark.spec("1.3.8")
def test_a_sealed_content_opens_only_under_its_own_number() -> None:
    from jumin.certificates import sealing
    from jumin.certificates.models import Issuance

    with pytest.raises(DomainError) as error:
        sealing.open_content(None, "20261201 上尾市 本庁1 001")
    assert error.value.code == "certificate.no_content"
    with pytest.raises(DomainError) as error:
        sealing.open_content(b"\x02garbage", "20261201 上尾市 本庁1 001")
    assert error.value.code == "certificate.content_tampered"
    assert Issuance._meta.get_field("content").null


@pytest.mark.spec("1.3.8")
def test_tampered_or_missing_content_is_not_reissued(
    clerk: Principal,  # noqa: F811
    mayor: Certifier,  # noqa: F811
    taro: Resident,
    terminal: Terminal,
) -> None:
    from jumin.certificates.models import Issuance

    original = services.issue(clerk, self_request(taro), terminal=terminal).issuances[0]
    sealed = bytes(original.content)

    def copy_of(content: bytes | None, number: str) -> Issuance:
        fields = {
            f.name: getattr(original, f.name)
            for f in Issuance._meta.concrete_fields
            if f.name not in ("id", "issue_no", "content")
        }
        return Issuance.objects.create(**fields, issue_no=number, content=content)

    moved = copy_of(sealed, "20261201 上尾市 本庁1 901")  # another number's content
    flipped = copy_of(sealed[:-1] + bytes([sealed[-1] ^ 1]), "20261201 上尾市 本庁1 902")
    empty = copy_of(None, "20261201 上尾市 本庁1 903")
    for row, code in ((moved, "certificate.content_tampered"), (flipped, "certificate.content_tampered")):
        with pytest.raises(DomainError) as error:
            services.reissue(clerk, row.issue_no, reason="汚損")
        assert error.value.code == code
    with pytest.raises(DomainError) as error:
        services.reissue(clerk, empty.issue_no, reason="汚損")
    assert error.value.code == "certificate.no_content"


@pytest.mark.spec("3.4", "1.3.8")
def test_reissue_applies_todays_protection(
    clerk: Principal,  # noqa: F811
    mayor: Certifier,  # noqa: F811
    taro: Resident,
    terminal: Terminal,
) -> None:
    from django.utils import timezone

    from jumin.protection.services import MeasureInput, create_measure
    from tests.conftest import make_operator

    third = self_request(taro, route="third_party", requester_atena_no="", purpose="訴訟", proof="訴状写し")
    original = services.issue(clerk, third, terminal=terminal).issuances[0]
    officer = make_operator("shien", "支援 責任者", roles=("支援措置責任者",))
    create_measure(
        MeasureInput(
            kind="dv",
            applicant_atena_no=taro.atena_no,
            accompanying=[],
            start_on=timezone.localdate(),
            reason="相談機関の意見あり",
            offenders=[],
        ),
        by=officer,
    )
    with pytest.raises(DomainError) as refused:
        services.reissue(clerk, original.issue_no, reason="紛失")
    assert refused.value.code.startswith("protection.")


@pytest.mark.spec("20.1.3", "1.1.5")
def test_the_removed_copy_of_an_archived_person(
    clerk: Principal,  # noqa: F811
    mayor: Certifier,  # noqa: F811
    taro: Resident,
    counter: User,
    reviewer: User,
    terminal: Terminal,
) -> None:
    from datetime import date

    from jumin.registry.archive import archive_removed
    from jumin.registry.models import ArchivedResident

    final(
        "move_out",
        {"atena_nos": [taro.atena_no], "effective": "R8.11.22", "notified_on": "R8.11.22", "destination": DESTINATION},
        counter,
        reviewer,
    )
    archive_removed(today=date(2040, 1, 1))
    assert ArchivedResident.objects.filter(atena_no=taro.atena_no).exists()
    assert not Resident.objects.filter(atena_no=taro.atena_no).exists()
    body = joined(services.issue(clerk, self_request(taro, kind="removed_copy"), terminal=terminal).pdfs[0])
    assert "住民票の除票の写し" in body and "東京都港区芝公園4丁目2番8号へ国内転出" in body
    with pytest.raises(DomainError) as error:
        services.issue(clerk, self_request(taro, kind="removed_copy", record_no=2))
    assert error.value.code == "certificate.record_not_found"
