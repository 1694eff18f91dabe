"""The writers and readers of the 閲覧台帳 (住基法11条・11条の2; spec 9.5, 20.3.1, 3.4):
受付 → 審査 → 閲覧用リスト → 閲覧の実施 → 公表, each rule of the law, the exclusions and the logs."""

from __future__ import annotations

import csv
import io
from dataclasses import replace
from datetime import date, timedelta

import pdfplumber
import pytest
from openpyxl import load_workbook

from jumin.accounts.models import User
from jumin.accounts.principal import Principal
from jumin.addresses.models import Town
from jumin.audit.models import AccessLog, OperationLog, PrintLog
from jumin.conf.domain import era_table
from jumin.core.errors import DomainError
from jumin.inspection import outputs, queries, services
from jumin.inspection.models import InspectionRequest, InspectionVisit
from jumin.inspection.services import InspectorInput, VisitInput
from jumin.protection import services as protection
from jumin.registry import inspection as extracts
from jumin.registry.models import Resident
from tests.inspection.conftest import request_data, today
from tests.protection.conftest import measure_data

pytestmark = pytest.mark.django_db


def _approved(clerk: User, judge: User, towns: dict[str, Town], **overrides: object) -> InspectionRequest:
    received = services.receive_request(request_data(towns, **overrides), by=clerk)
    return services.decide_request(received, approve=True, reason="学術研究で公益性が高い", by=judge)


def _pdf_text(body: bytes) -> str:
    with pdfplumber.open(io.BytesIO(body)) as document:
        return "\n".join(page.extract_text() or "" for page in document.pages).replace(" ", "")


@pytest.mark.spec("9.5", "20.3.1", "3.4", partial=True)
def test_the_whole_flow_lists_only_unprotected_persons_and_publishes_the_year(
    clerk: User,
    judge: User,
    officer: User,
    family: dict[str, Resident],
    towns: dict[str, Town],
    neighbours: list[Resident],
) -> None:
    protection.create_measure(measure_data(family), by=officer)  # mother and child
    protection.set_block(
        scope="household",
        target_no=family["offender"].household_no,
        process="inspection",
        level="alert",
        reason="閲覧の抑止",
        by=officer,
    )
    received = services.receive_request(request_data(towns, list_order="address"), by=clerk)
    assert received.state == InspectionRequest.State.RECEIVED and received.request_no.startswith("E")
    assert [i.name for i in received.inspectors.all()] == ["浦和 二郎"]
    with pytest.raises(DomainError, match="承認された申出"):
        queries.inspection_list(Principal(user=clerk), received)  # not yet approved
    approved = services.decide_request(received, approve=True, reason="学術研究で公益性が高い", by=judge)
    assert approved.state == InspectionRequest.State.APPROVED and approved.list_seed

    listed = queries.inspection_list(Principal(user=clerk), approved)
    names = [line.name for line in listed.lines]
    # 住所の順: 本町二丁目5番 before 本町二丁目10番 (numbers as numbers); 原市北 is not 原市;
    # the protected mother and child and the blocked household of 北本 are left out
    assert names == ["志木\u3000五郎", "伊奈\u3000三郎"]
    assert listed.excluded == 3 and listed.order == "address"
    access = AccessLog.objects.filter(purpose="inspection.list").latest("id")
    assert access.criteria["request_no"] == approved.request_no and access.criteria["excluded"] == 3
    assert family["mother"].atena_no not in access.persons

    for fmt in ("pdf", "csv", "xlsx"):
        output = outputs.list_output(Principal(user=clerk), approved, fmt)
        assert output.filename.endswith(f".{fmt}") and approved.request_no in output.filename
        log = PrintLog.objects.filter(title=extracts.TITLE).latest("id")
        assert f"閲覧用リスト {fmt}" in log.document and "2名" in log.document
        assert family["mother"].atena_no not in log.persons and len(log.persons) == 2
    pdf = outputs.list_output(Principal(user=clerk), approved, "pdf").body
    text = _pdf_text(pdf)
    assert "住民基本台帳の一部の写し（閲覧用）" in text and "志木" in text and "桶川" not in text
    assert text.index("志木") < text.index("伊奈") and "計2名" in text
    rows = list(
        csv.reader(io.StringIO(outputs.list_output(Principal(user=clerk), approved, "csv").body.decode("utf-8-sig")))
    )
    assert rows[0] == ["氏名", "住所", "生年月日", "性別"] and [r[0] for r in rows[1:]] == names
    sheet = load_workbook(io.BytesIO(outputs.list_output(Principal(user=clerk), approved, "xlsx").body)).active
    assert sheet is not None
    values = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert values[2] == ["氏名", "住所", "生年月日", "性別"] and [r[0] for r in values[3:]] == names

    visit = services.record_visit(
        approved,
        VisitInput(
            inspected_on=today(),
            oaza_codes=[towns["本町"].oaza_code],
            persons=2,
            inspectors=["浦和 二郎"],
            identity_checked=True,
        ),
        by=clerk,
    )
    assert visit.town_names == ["本町"]
    done = services.complete_request(approved, by=clerk)
    assert done.state == InspectionRequest.State.COMPLETED
    with pytest.raises(DomainError):
        queries.inspection_list(Principal(user=clerk), done)  # no list after the end

    published = queries.publication(Principal(user=judge), today().year)
    assert published.state_rows == []
    (row,) = published.private_rows
    assert row.requester == "国立大学法人 埼玉学術大学（代表者 学長 大宮 一郎）"
    assert row.purpose_summary == "高齢者の生活実態に関する学術調査"
    assert row.scope == "本町に住所を有する者" and len(row.dates) == 1
    assert queries.publication(Principal(user=judge), today().year - 1).rows == []
    actions = set(OperationLog.objects.filter(target_id=approved.request_no).values_list("action", flat=True))
    assert actions == {"inspection.receive", "inspection.approve", "inspection.visit", "inspection.complete"}


@pytest.mark.spec("9.5", partial=True)
def test_random_order_is_the_default_and_the_same_for_every_output_of_a_request(
    clerk: User, judge: User, family: dict[str, Resident], towns: dict[str, Town], neighbours: list[Resident]
) -> None:
    approved = _approved(clerk, judge, towns)
    assert approved.list_order == "random"
    first = queries.inspection_list(Principal(user=clerk), approved)
    again = queries.inspection_list(Principal(user=clerk), approved)
    assert first.lines == again.lines and first.seed == approved.list_seed
    assert len(first.lines) == 5  # no measure: everybody of 本町 and 原市
    other = _approved(clerk, judge, towns)
    assert other.list_seed != approved.list_seed


@pytest.mark.spec("9.5", partial=True)
def test_the_extract_in_address_order_is_stable_and_refuses_an_unknown_order(
    clerk: User, towns: dict[str, Town], neighbours: list[Resident], family: dict[str, Resident]
) -> None:
    chosen = [towns["本町"].oaza_code]
    one = extracts.extract(Principal(user=clerk), chosen, order=extracts.ADDRESS, seed="a")
    two = extracts.extract(Principal(user=clerk), chosen, order=extracts.ADDRESS, seed="b")
    assert one.lines == two.lines  # the seed plays no part
    with pytest.raises(DomainError, match="並び順"):
        extracts.extract(Principal(user=clerk), chosen, order="age")


def test_the_rules_of_the_law_at_reception(clerk: User, judge: User, towns: dict[str, Town]) -> None:
    base = request_data(towns)
    refusals = {
        "inspection.basis_mismatch": replace(base, requester_kind="agency"),
        "inspection.purpose": replace(base, purpose_category="statutory"),
        "inspection.pledge": replace(base, pledged=False),
        "inspection.representative": replace(base, requester_representative=""),
        "inspection.period": replace(base, period_end=today() - timedelta(days=1)),
        "inspection.period_too_long": replace(base, period_end=today() + timedelta(days=400)),
        "inspection.period_before_request": replace(base, period_start=today() - timedelta(days=1)),
        "inspection.no_inspector": replace(base, inspectors=[]),
        "inspection.id_document": replace(base, inspectors=[InspectorInput(name="浦和 二郎", id_document="card")]),
        "inspection.no_town": replace(base, oaza_codes=[]),
        "inspection.unknown_town": replace(base, oaza_codes=["999"]),
        "inspection.required": replace(base, purpose_summary="  "),
        "inspection.unknown_order": replace(base, list_order="age"),
        "inspection.basis": replace(base, basis="art12"),
    }
    for code, data in refusals.items():
        with pytest.raises(DomainError) as caught:
            services.receive_request(data, by=clerk)
        assert caught.value.code == code, (code, caught.value.code)
    with pytest.raises(DomainError) as caught:
        services.receive_request(base, by=judge)  # the reviewer does not receive
    assert caught.value.code == "auth.forbidden"
    # 国・地方公共団体の機関 (11条): no 誓約 needed; 犯罪捜査等 is published without detail
    police = services.receive_request(
        replace(
            base,
            basis="art11",
            requester_kind="agency",
            requester_name="埼玉県警察本部",
            requester_representative="",
            purpose_category="criminal",
            purpose_summary="被疑者の所在確認",
            pledged=False,
        ),
        by=clerk,
    )
    assert police.state == InspectionRequest.State.RECEIVED
    assert not InspectionRequest.objects.filter(state=InspectionRequest.State.APPROVED).exists()


def test_review_needs_another_operator_a_reason_and_the_capability(
    clerk: User, judge: User, counter: User, towns: dict[str, Town]
) -> None:
    received = services.receive_request(request_data(towns), by=clerk)
    with pytest.raises(DomainError, match="権限"):
        services.decide_request(received, approve=True, reason="可", by=counter)
    with pytest.raises(DomainError, match="理由"):
        services.decide_request(received, approve=True, reason=" ", by=judge)
    both = User.objects.get(pk=judge.pk)
    both.groups.add(*clerk.groups.all())
    mine = services.receive_request(request_data(towns), by=both)
    with pytest.raises(DomainError, match="別の職員"):
        services.decide_request(mine, approve=True, reason="可", by=User.objects.get(pk=both.pk))
    refused = services.decide_request(received, approve=False, reason="営業目的と認められる", by=judge)
    assert refused.state == InspectionRequest.State.REFUSED and refused.list_seed == ""
    with pytest.raises(DomainError, match="審査済み"):
        services.decide_request(refused, approve=True, reason="再審査", by=judge)
    with pytest.raises(DomainError, match="承認された申出"):
        queries.inspection_list(Principal(user=clerk), refused)
    assert OperationLog.objects.filter(action="inspection.refuse", target_id=refused.request_no).exists()


@pytest.mark.spec("3.4", partial=True)
def test_a_request_naming_the_offender_of_a_measure_cannot_be_approved(
    clerk: User, judge: User, officer: User, family: dict[str, Resident], towns: dict[str, Town]
) -> None:
    protection.create_measure(measure_data(family), by=officer)  # offender: 北本　次郎
    data = request_data(towns, inspectors=[InspectorInput(name="北本 次郎", id_document="driver_license")])
    received = services.receive_request(data, by=clerk)
    assert services.offender_named(received)
    with pytest.raises(DomainError) as caught:
        services.decide_request(received, approve=True, reason="可", by=judge)
    assert caught.value.code == "inspection.offender" and "S0" not in caught.value.message  # no measure named
    services.decide_request(received, approve=False, reason="支援措置の相手方", by=judge)
    assert not services.offender_named(services.receive_request(request_data(towns), by=clerk))


def test_a_visit_is_recorded_only_as_approved(clerk: User, judge: User, towns: dict[str, Town]) -> None:
    received = services.receive_request(request_data(towns), by=clerk)
    visit = VisitInput(
        inspected_on=today(),
        oaza_codes=[towns["本町"].oaza_code],
        persons=3,
        inspectors=["浦和 二郎"],
        identity_checked=True,
    )
    with pytest.raises(DomainError, match="承認された申出"):
        services.record_visit(received, visit, by=clerk)
    approved = services.decide_request(received, approve=True, reason="可", by=judge)
    refusals = {
        "inspection.identity": replace(visit, identity_checked=False),
        "inspection.future": replace(visit, inspected_on=today() + timedelta(days=1)),
        "inspection.town_not_requested": replace(visit, oaza_codes=[towns["原市北"].oaza_code]),
        "inspection.reader_not_named": replace(visit, inspectors=["知らない 人"]),
        "inspection.persons": replace(visit, persons=-1),
    }
    for code, data in refusals.items():
        with pytest.raises(DomainError) as caught:
            services.record_visit(approved, data, by=clerk)
        assert caught.value.code == code
    with pytest.raises(DomainError) as caught:
        services.record_visit(approved, visit, by=judge)
    assert caught.value.code == "auth.forbidden"
    services.record_visit(approved, visit, by=clerk)
    assert approved.visits.count() == 1


def test_the_publication_splits_the_two_articles_and_hides_the_purpose_of_a_criminal_inquiry(
    clerk: User, judge: User, towns: dict[str, Town]
) -> None:
    police = _approved(
        clerk,
        judge,
        towns,
        basis="art11",
        requester_kind="agency",
        requester_name="埼玉県警察本部",
        requester_representative="",
        purpose_category="criminal",
        purpose_summary="被疑者の所在確認",
        pledged=False,
        inspectors=[InspectorInput(name="刑事 一郎", id_document="staff_id")],
    )
    university = _approved(clerk, judge, towns)
    for request, reader, codes in (
        (police, "刑事 一郎", [towns["原市"].oaza_code]),
        (university, "浦和 二郎", [towns["本町"].oaza_code, towns["原市"].oaza_code]),
    ):
        services.record_visit(
            request,
            VisitInput(inspected_on=today(), oaza_codes=codes, persons=1, inspectors=[reader], identity_checked=True),
            by=clerk,
        )
    found = queries.publication(Principal(user=clerk), today().year)
    assert [r.requester for r in found.state_rows] == ["埼玉県警察本部"]
    assert found.state_rows[0].purpose_summary == queries.PUBLIC_CRIMINAL_PURPOSE
    assert found.private_rows[0].scope == "原市、本町に住所を有する者"
    assert found.year_label.endswith(f"（{today().year}年）")
    pdf = outputs.publication_output(Principal(user=clerk), today().year, "pdf")
    text = _pdf_text(pdf.body)
    assert "住民基本台帳の一部の写しの閲覧状況" in text and "埼玉県警察本部" in text and "被疑者" not in text
    assert "埼玉学術大学" in text
    rows = list(
        csv.reader(
            io.StringIO(outputs.publication_output(Principal(user=clerk), today().year, "csv").body.decode("utf-8-sig"))
        )
    )
    assert rows[0][1] == "申出者の氏名（法人はその名称）" and len(rows) == 3
    book = load_workbook(io.BytesIO(outputs.publication_output(Principal(user=clerk), today().year, "xlsx").body))
    assert book.active is not None and book.active.max_row == 5  # 2 caption lines, header, 2 rows
    assert PrintLog.objects.filter(title=outputs.PUBLICATION_TITLE).count() == 3
    with pytest.raises(DomainError):
        outputs.publication_output(Principal(user=clerk), today().year, "docx")
    with pytest.raises(DomainError):
        queries.publication(Principal(user=clerk), 10000)
    with pytest.raises(DomainError):
        queries.publication(Principal(), today().year)  # nobody


def test_the_publication_takes_the_visits_of_the_chosen_calendar_year_only(
    clerk: User, judge: User, towns: dict[str, Town]
) -> None:
    approved = _approved(clerk, judge, towns)
    year = today().year
    for day in (date(year - 1, 12, 31), date(year, 1, 1), date(year, 1, 1)):
        InspectionVisit.objects.create(
            request=approved,
            inspected_on=day,
            oaza_codes=[towns["本町"].oaza_code],
            town_names=["本町"],
            persons=1,
            inspectors=["浦和 二郎"],
            identity_checked=True,
            recorded_by=clerk,
        )
    (row,) = queries.publication(Principal(user=clerk), year).private_rows
    assert row.dates == [era_table().format(date(year, 1, 1))] and row.persons == 2
    (last,) = queries.publication(Principal(user=clerk), year - 1).private_rows
    assert last.dates == [era_table().format(date(year - 1, 12, 31))]
    assert queries.year_label(2019) == "令和元年（2019年）"
