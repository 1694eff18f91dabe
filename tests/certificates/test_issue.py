"""Issuing certificates (issue 7): request rules of 住基法12条〜12条の3, omissions (5.1), 発行番号
(5.5), 認証者 switch (1.3.9), 交付履歴 with SHA-256 (1.3.8), 再交付 and 処分, 支援措置, and the
verification of a copy.  Text is read back from the PDFs with pdfplumber."""

from __future__ import annotations

import hashlib
import io
from dataclasses import replace
from datetime import date, timedelta
from typing import Any

import pdfplumber
import pytest
from django.db import DatabaseError, transaction
from django.utils import timezone

from jumin.accounts.models import Terminal, User
from jumin.accounts.principal import Principal
from jumin.audit.models import AccessLog, PrintLog
from jumin.certificates import services, signing, verification
from jumin.certificates.models import Certifier, Issuance
from jumin.certificates.services import IssueRequest
from jumin.core.errors import DomainError
from jumin.registry.models import Resident
from tests.conftest import make_operator
from tests.registry.conftest import final, move_in_data, person

pytestmark = pytest.mark.db


def text_of(pdf: bytes) -> list[str]:
    with pdfplumber.open(io.BytesIO(pdf)) as document:
        return [page.extract_text() or "" for page in document.pages]


def joined(pdf: bytes) -> str:
    return "\n".join(text_of(pdf)).replace(" ", "")


@pytest.fixture
def clerk(db: None) -> Principal:
    return Principal(user=make_operator("shomei", "証明 交付", roles=("証明書交付",)))


@pytest.fixture
def mayor(db: None) -> Certifier:
    return Certifier.objects.create(
        role=Certifier.Role.MAYOR,
        title="上尾市長",
        name="畠山　稔",
        valid_from=date(2020, 1, 1),
        seal_text="上尾市長之印",
    )


@pytest.fixture
def family(counter: User, reviewer: User) -> dict[str, Resident]:
    """Five persons in one household (two sheets of 世帯連記式), and a neighbour."""
    final(
        "move_in",
        move_in_data(
            person(),
            person(given_name="花子", furigana_given_name="ハナコ", sex="2", relationship="妻", birth="S57.6.3"),
            person(given_name="一郎", furigana_given_name="イチロウ", relationship="子", birth="H20.5.5"),
            person(given_name="次郎", furigana_given_name="ジロウ", relationship="子", birth="H22.7.7"),
            person(given_name="三郎", furigana_given_name="サブロウ", relationship="子", birth="H25.1.9"),
        ),
        counter,
        reviewer,
    )
    final(
        "move_in",
        move_in_data(
            person(surname="北本", given_name="次郎", furigana_surname="キタモト", furigana_given_name="ジロウ"),
            address={"address": "埼玉県上尾市原市1番地", "postcode": "3620021"},
        ),
        counter,
        reviewer,
    )
    return {r.given_name if r.surname == "上尾" else "neighbour": r for r in Resident.objects.all()}


def own_request(family: dict[str, Resident], **overrides: Any) -> IssueRequest:
    head = family["太郎"]
    data: dict[str, Any] = {
        "kind": "copy",
        "atena_no": head.atena_no,
        "route": "self",
        "requester_name": "上尾　太郎",
        "requester_atena_no": head.atena_no,
        "id_document": "mynumber_card",
        "layout": "household",
    }
    data.update(overrides)
    return IssueRequest(**data)


@pytest.mark.spec("5.1", "5.2", "5.5")
def test_household_copy_prints_every_member_in_order_four_per_sheet(
    clerk: Principal, mayor: Certifier, family: dict[str, Resident], terminal: Terminal
) -> None:
    issued = services.issue(clerk, own_request(family), terminal=terminal)
    (row,) = issued.issuances
    pages = text_of(issued.pdfs[0])
    assert row.pages == len(pages) == 2
    assert [t.replace(" ", "").count("上尾") >= 1 for t in pages] == [True, True]
    body = joined(issued.pdfs[0])
    order = [body.index(name) for name in ("上尾太郎", "上尾花子", "上尾一郎", "上尾次郎", "上尾三郎")]
    assert order == sorted(order)
    assert "北本" not in body
    # 発行番号: date, municipality, terminal, serial, page/total; different for every copy
    today = timezone.localdate().strftime("%Y%m%d")
    assert row.issue_no == f"{today} 上尾市 {terminal.name} 001"
    assert f"{row.issue_no} 1/2".replace(" ", "") in pages[0].replace(" ", "")
    assert f"{row.issue_no} 2/2".replace(" ", "") in pages[1].replace(" ", "")
    # 認証文 and 認証者 (with the prefecture) on the last page only
    attestation = "この写しは、世帯全員の住民票の原本と相違ないことを証明する。"
    assert attestation not in pages[0].replace(" ", "") and attestation in pages[1].replace(" ", "")
    assert "埼玉県上尾市長" in pages[1].replace(" ", "")
    # the 交付履歴 keeps the SHA-256 of the exact PDF and names every person
    assert row.sha256 == hashlib.sha256(issued.pdfs[0]).hexdigest()
    assert sorted(row.persons) == sorted(r.atena_no for k, r in family.items() if k != "neighbour")
    assert PrintLog.objects.filter(issue_no=row.issue_no, pages=2).exists()
    assert AccessLog.objects.filter(purpose="certificates.issue", action="print").exists()


@pytest.mark.spec("5.1")
def test_the_four_optional_groups_are_omitted_unless_asked_for(
    clerk: Principal, mayor: Certifier, family: dict[str, Resident], terminal: Terminal
) -> None:
    plain = joined(services.issue(clerk, own_request(family, layout="individual"), terminal=terminal).pdfs[0])
    assert "埼玉県上尾市本町一丁目1番地" not in plain  # 本籍
    assert "世帯主" in plain  # the label stays, the value is omitted
    head = family["太郎"]
    asked = own_request(family, layout="individual", items=("honseki", "head_relationship"))
    full = joined(services.issue(clerk, asked, terminal=terminal).pdfs[0])
    assert "埼玉県上尾市本町一丁目1番地" in full
    assert head.resident_code not in full  # not asked for


@pytest.mark.spec("5.1")
def test_items_refused_by_route_and_by_the_operators_visibility(
    clerk: Principal, mayor: Certifier, family: dict[str, Resident]
) -> None:
    third = own_request(
        family, route="third_party", requester_atena_no="", purpose="債権回収", proof="契約書", items=("resident_code",)
    )
    with pytest.raises(DomainError) as refused:
        services.issue(clerk, third)
    assert refused.value.code == "certificate.item_not_allowed"
    # the clerk's role does not see 住民票コード: it cannot be certified by them
    with pytest.raises(DomainError) as hidden:
        services.issue(clerk, own_request(family, items=("resident_code",)))
    assert hidden.value.code == "certificate.item_forbidden"
    assert not Issuance.objects.exists()


@pytest.mark.spec("5.1")
def test_resident_code_is_printed_for_an_operator_who_may_see_it(
    mayor: Certifier, family: dict[str, Resident], terminal: Terminal
) -> None:
    user = make_operator("code", "コード 担当", roles=("証明書交付", "住民票コード事務"))
    request = own_request(family, layout="individual", items=("resident_code",))
    issued = services.issue(Principal(user=user), request, terminal=terminal)
    assert family["太郎"].resident_code in joined(issued.pdfs[0])
    assert AccessLog.objects.filter(purpose="certificates.issue", resident_code_shown=True).exists()


def test_request_checks_in_japanese(clerk: Principal, mayor: Certifier, family: dict[str, Resident]) -> None:
    cases = {
        "certificate.no_id_document": own_request(family, id_document=""),
        "certificate.no_power_of_attorney": own_request(family, route="agent", requester_name="代理　人"),
        "certificate.third_party_incomplete": own_request(family, route="third_party", requester_atena_no=""),
        "certificate.public_body_incomplete": own_request(family, route="public_body", representative=""),
        "certificate.removed_household": own_request(family, kind="removed_copy"),
        "certificate.bad_copies": own_request(family, copies=0),
        "certificate.no_items": own_request(family, kind="item_certificate", layout="individual"),
        "certificate.not_same_household": own_request(family, requester_atena_no=family["neighbour"].atena_no),
    }
    for code, request in cases.items():
        with pytest.raises(DomainError) as error:
            services.issue(clerk, request)
        assert error.value.code == code, code
        assert error.value.message and all(ord(ch) > 127 or ch.isascii() for ch in error.value.message)


@pytest.mark.spec("5.5")
def test_every_copy_has_its_own_number_and_hash(
    clerk: Principal, mayor: Certifier, family: dict[str, Resident], terminal: Terminal
) -> None:
    issued = services.issue(clerk, own_request(family, copies=3), terminal=terminal)
    numbers = [i.issue_no for i in issued.issuances]
    assert len(set(numbers)) == 3 and [n[-3:] for n in numbers] == ["001", "002", "003"]
    assert len({i.sha256 for i in issued.issuances}) == 3
    merged = services.merged(issued.pdfs)
    assert len(text_of(merged)) == sum(i.pages for i in issued.issuances)


@pytest.mark.spec("1.3.9", "5.6")
def test_the_deputy_certifies_in_their_period(
    clerk: Principal, mayor: Certifier, family: dict[str, Resident], terminal: Terminal
) -> None:
    today = timezone.localdate()
    Certifier.objects.create(
        role=Certifier.Role.DEPUTY,
        title="上尾市副市長（市長職務代理者）",
        name="石川　隆",
        valid_from=today - timedelta(days=1),
        valid_to=today + timedelta(days=1),
        seal_text="上尾市長職務代理者印",
        print_seal=False,
    )
    body = joined(services.issue(clerk, own_request(family), terminal=terminal).pdfs[0])
    assert "埼玉県上尾市副市長（市長職務代理者）" in body and "石川" in body and "畠山" not in body
    assert "公印省略" in body


def test_no_certifier_no_certificate(clerk: Principal, family: dict[str, Resident]) -> None:
    with pytest.raises(DomainError) as error:
        services.issue(clerk, own_request(family))
    assert error.value.code == "certificate.no_certifier"


@pytest.mark.spec("5.1")
def test_removed_copy_and_item_certificate(
    clerk: Principal,
    mayor: Certifier,
    family: dict[str, Resident],
    counter: User,
    reviewer: User,
    terminal: Terminal,
) -> None:
    neighbour = family["neighbour"]
    final(
        "move_out",
        {
            "atena_nos": [neighbour.atena_no],
            "effective": "R8.11.1",
            "notified_on": "R8.11.1",
            "destination": {"address": "東京都港区芝公園4丁目2番8号"},
        },
        counter,
        reviewer,
    )
    request = IssueRequest(
        kind="removed_copy",
        atena_no=neighbour.atena_no,
        route="self",
        requester_name="北本　次郎",
        requester_atena_no=neighbour.atena_no,
        id_document="driver_license",
    )
    body = joined(services.issue(clerk, request, terminal=terminal).pdfs[0])
    assert "住民票の除票の写し" in body and "東京都港区芝公園4丁目2番8号" in body
    assert "この写しは、住民票の除票の原本と相違ないことを証明する。" in body
    with pytest.raises(DomainError) as error:
        services.issue(clerk, replace(request, kind="copy"))
    assert error.value.code == "certificate.removed_person"
    items = replace(request, kind="removed_item_certificate", certified_items=("birth",))
    certified = joined(services.issue(clerk, items, terminal=terminal).pdfs[0])
    assert "住民票除票記載事項証明書" in certified and "昭和55年4月1日" in certified
    assert "住所を定めた年月日" not in certified


@pytest.mark.spec("5.1")
def test_before_the_planned_day_the_move_out_is_left_out(
    clerk: Principal,
    mayor: Certifier,
    family: dict[str, Resident],
    counter: User,
    reviewer: User,
    terminal: Terminal,
) -> None:
    from jumin.conf.domain import era_table

    son = family["三郎"]
    later = timezone.localdate() + timedelta(days=10)
    final(
        "move_out",
        {
            "atena_nos": [son.atena_no],
            "effective": era_table().format(later),
            "notified_on": era_table().format(timezone.localdate()),
            "destination": {"address": "東京都港区芝公園4丁目2番8号"},
        },
        counter,
        reviewer,
    )
    body = joined(services.issue(clerk, own_request(family, with_history=False), terminal=terminal).pdfs[0])
    assert "上尾三郎" in body
    assert "東京都港区芝公園" not in body and "転出" not in body


@pytest.mark.spec("3.4")
def test_a_protected_person_is_not_issued_to_a_third_party(
    clerk: Principal, mayor: Certifier, family: dict[str, Resident]
) -> None:
    from jumin.protection.services import MeasureInput, create_measure

    officer = make_operator("shien", "支援 責任者", roles=("支援措置責任者",))
    wife = family["花子"]
    create_measure(
        MeasureInput(
            kind="dv",
            applicant_atena_no=wife.atena_no,
            accompanying=[],
            start_on=timezone.localdate(),
            reason="相談機関の意見あり",
            offenders=[],
        ),
        by=officer,
    )
    third = own_request(
        family, atena_no=wife.atena_no, route="third_party", requester_atena_no="", purpose="訴訟", proof="訴状写し"
    )
    with pytest.raises(DomainError) as refused:
        services.issue(clerk, third)
    assert refused.value.code.startswith("protection.")
    assert not Issuance.objects.exists()


def test_reissue_and_disposal_keep_the_history(
    clerk: Principal, mayor: Certifier, family: dict[str, Resident], terminal: Terminal
) -> None:
    first = services.issue(clerk, own_request(family), terminal=terminal).issuances[0]
    again = services.reissue(clerk, first.issue_no, reason="汚損のため", terminal=terminal).issuances[0]
    assert again.reissue_of == first and again.issue_no != first.issue_no
    assert clerk.user is not None
    services.dispose(clerk.user, first.issue_no, reason="誤交付のため回収・廃棄")
    with pytest.raises(DomainError) as twice:
        services.dispose(clerk.user, first.issue_no, reason="再度")
    assert twice.value.code == "certificate.already_disposed"
    # the 交付履歴 is append-only in the database
    with pytest.raises(DatabaseError), transaction.atomic():
        Issuance.objects.filter(pk=first.pk).update(pages=99)
    with pytest.raises(DatabaseError), transaction.atomic():
        Issuance.objects.filter(pk=again.pk).delete()


def test_verification_answers_without_personal_data(
    clerk: Principal, mayor: Certifier, family: dict[str, Resident], terminal: Terminal
) -> None:
    issued = services.issue(clerk, own_request(family), terminal=terminal)
    row, pdf = issued.issuances[0], issued.pdfs[0]
    assert signing.valid(row.signature, row.issue_no, timezone.localdate(), row.kind)
    answer = verification.check(row.issue_no, row.signature, pdf)
    assert answer.genuine and answer.signature == "valid" and answer.document == "match"
    assert verification.check(row.issue_no, row.signature, pdf + b"%tampered").document == "mismatch"
    forged = verification.check(row.issue_no, "A" * 86)
    assert forged.signature == "invalid" and not forged.genuine
    assert not verification.check("20000101 上尾市 本庁1 999").issued
    assert clerk.user is not None
    services.dispose(clerk.user, row.issue_no, reason="誤交付")
    assert not verification.check(row.issue_no, row.signature).genuine
    assert set(vars(answer)) == {"issue_no", "issued", "issued_at", "signature", "document", "disposed"}


@pytest.mark.spec("5.1")
def test_move_out_certificate_lists_the_movers_with_numbers_and_a_data_qr(
    mayor: Certifier,
    family: dict[str, Resident],
    counter: User,
    reviewer: User,
    terminal: Terminal,
) -> None:
    from jumin.certificates import queries

    neighbour = family["neighbour"]
    final(
        "move_out",
        {
            "atena_nos": [neighbour.atena_no],
            "effective": "R8.11.1",
            "notified_on": "R8.11.1",
            "destination": {"address": "東京都港区芝公園4丁目2番8号"},
        },
        counter,
        reviewer,
    )
    request = IssueRequest(
        kind="move_out",
        atena_no=neighbour.atena_no,
        route="self",
        requester_name="北本　次郎",
        requester_atena_no=neighbour.atena_no,
        id_document="driver_license",
    )
    with pytest.raises(DomainError) as hidden:  # a clerk who may not see 住民票コード cannot issue it
        services.issue(Principal(user=make_operator("shomei", "証明 交付", roles=("証明書交付",))), request)
    assert hidden.value.code == "certificate.item_forbidden"
    user = make_operator("tenshutsu", "転出 担当", roles=("証明書交付", "住民票コード事務", "個人番号利用事務"))
    issued = services.issue(Principal(user=user), request, terminal=terminal)
    body = joined(issued.pdfs[0])
    neighbour.refresh_from_db()
    assert "転出証明書" in body and "東京都港区芝公園4丁目2番8号" in body
    assert neighbour.resident_code in body
    target = queries.target(
        Principal(user=user),
        "move_out",
        neighbour.atena_no,
        layout="individual",
        with_history=False,
        today=date.today(),
    )
    data = queries.move_out_data(target).splitlines()
    assert data[0].startswith("JUMIN-TENSHUTSU-2,") and neighbour.resident_code in data[1]
    equivalent = services.issue(Principal(user=user), replace(request, kind="move_out_equivalent"), terminal=terminal)
    body = joined(equivalent.pdfs[0])
    assert "転出証明書に準ずる証明書" in body and "転出証明書情報" not in body  # no data QR on it
    assert "東京都港区芝公園4丁目2番8号" in body
    with pytest.raises(DomainError) as third:
        services.issue(Principal(user=user), replace(request, route="third_party", purpose="x", proof="y"))
    assert third.value.code == "certificate.notice_route"
    with pytest.raises(DomainError) as none:
        services.issue(Principal(user=user), replace(request, atena_no=family["太郎"].atena_no))
    assert none.value.code == "certificate.no_move_out"


def test_resident_code_notice(mayor: Certifier, family: dict[str, Resident], terminal: Terminal) -> None:
    head = family["太郎"]
    user = make_operator("code", "コード 担当", roles=("証明書交付", "住民票コード事務"))
    request = IssueRequest(
        kind="resident_code_notice",
        atena_no=head.atena_no,
        route="self",
        requester_name="上尾　太郎",
        requester_atena_no=head.atena_no,
        id_document="mail",
    )
    issued = services.issue(Principal(user=user), request, terminal=terminal)
    body = joined(issued.pdfs[0])
    assert "住民票コード通知票" in body and head.resident_code in body
    assert "東京都千代田区" not in body  # only the notice's items
    assert issued.issuances[0].kind == "resident_code_notice"


@pytest.mark.spec("1.3.9")
def test_certifier_master_register_and_end_a_period(mayor: Certifier) -> None:
    admin = make_operator("kanri", "原市 次郎", roles=("システム管理者",))
    today = timezone.localdate()
    deputy = services.register_certifier(
        admin,
        Certifier(
            role=Certifier.Role.DEPUTY,
            title="上尾市副市長（市長職務代理者）",
            name="石川　隆",
            valid_from=today - timedelta(days=3),
            seal_text="上尾市長職務代理者印",
        ),
    )
    assert services.certifier_for(today) == deputy
    services.end_certifier(admin, deputy.pk, today - timedelta(days=1))
    assert services.certifier_for(today) == mayor
    with pytest.raises(DomainError) as blank:
        services.register_certifier(admin, Certifier(role="mayor", title="上尾市長", name=" ", valid_from=today))
    assert blank.value.code == "certificate.certifier_name"
    with pytest.raises(DomainError) as forbidden:
        services.end_certifier(make_operator("shomei", "証明 交付", roles=("証明書交付",)), mayor.pk, today)
    assert forbidden.value.code == "auth.forbidden"
    from jumin.audit.models import SettingsLog

    assert SettingsLog.objects.filter(target="certificates.certifier").count() == 2


@pytest.mark.spec("5.8")
def test_overflowing_items_are_listed(
    clerk: Principal, mayor: Certifier, counter: User, reviewer: User, terminal: Terminal
) -> None:
    far = "北海道" + "稚内市宗谷岬" * 30 + "1番地"
    final("move_in", move_in_data(person(), previous_address={"address": far[:200]}), counter, reviewer)
    head = Resident.objects.get()
    request = IssueRequest(
        kind="copy",
        atena_no=head.atena_no,
        route="self",
        requester_name="上尾　太郎",
        requester_atena_no=head.atena_no,
        id_document="passport",
        layout="household",
    )
    issued = services.issue(clerk, request, terminal=terminal)
    assert [o.label for o in issued.overflow] == ["転入前住所"]
    row = issued.issuances[0]
    assert row.items["overflow"] == ["転入前住所"]
    listing = joined(services.overflow_list(clerk, row.issue_no))
    assert "転入前住所" in listing and "稚内市宗谷岬" in listing


@pytest.mark.spec("3.1")
def test_an_alert_block_needs_a_reason_that_is_logged(
    clerk: Principal, mayor: Certifier, family: dict[str, Resident], terminal: Terminal
) -> None:
    from jumin.protection.models import ProtectionDecision
    from jumin.protection.services import set_block

    officer = make_operator("shien", "支援 責任者", roles=("支援措置責任者",))
    head = family["太郎"]
    set_block(
        scope="person",
        target_no=head.atena_no,
        process="certificate",
        level="alert",
        reason="本人確認を厳格に",
        start_on=timezone.localdate(),
        end_on=None,
        by=officer,
    )
    with pytest.raises(DomainError) as missing:
        services.issue(clerk, own_request(family), terminal=terminal)
    assert missing.value.code == "certificate.alert_reason"
    issued = services.issue(clerk, own_request(family, alert_reason="運転免許証で本人確認済み"), terminal=terminal)
    assert issued.alerts and issued.issuances[0].protection_alert == "運転免許証で本人確認済み"
    passed = ProtectionDecision.objects.get(action="block.alert_passed")
    assert passed.details["issue_no"] == issued.issuances[0].issue_no and passed.details["atena_no"] == head.atena_no


def test_the_qr_code_points_at_the_served_verification_page_unless_one_is_set(settings: Any) -> None:
    """Issue 17: without ``JUMIN_VERIFY_URL`` the QR code follows the host and port that served
    the issue (``make run`` on another port, a test server); a configured public address wins."""
    settings.JUMIN_VERIFY_URL = ""
    assert signing.verification_url("N", "S").startswith(signing.DEFAULT_VERIFY_URL + "?")
    with signing.served_at("http://counter.example:8123/verify/"):
        assert signing.verification_url("N", "S") == "http://counter.example:8123/verify/?n=N&s=S"
        settings.JUMIN_VERIFY_URL = "https://jumin.city.example.lg.jp/verify/"
        assert signing.verification_url("N", "S").startswith("https://jumin.city.example.lg.jp/verify/?")
    settings.JUMIN_VERIFY_URL = ""
    assert signing.verification_url("N", "S").startswith(signing.DEFAULT_VERIFY_URL), "the context ends"
