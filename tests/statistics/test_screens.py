"""The 統計 screens, the files (each written to the print log) and the JSON API."""

from __future__ import annotations

import io

import pdfplumber
import pytest
from django.test import Client
from openpyxl import load_workbook

from jumin.accounts.models import User
from jumin.audit.models import PrintLog
from tests.conftest import log_in, make_operator
from tests.statistics.test_tables import small_city

pytestmark = pytest.mark.django_db


@pytest.fixture
def statistician(enrolled_client: Client) -> Client:
    return log_in(enrolled_client, make_operator("tokei", "統計 係", roles=("バッチ運用",)))


@pytest.mark.spec("6.1", partial=True)
def test_screens_show_the_tables(statistician: Client, counter: User, reviewer: User) -> None:
    small_city(counter, reviewer)
    home = statistician.get("/").content.decode()
    assert "統計" in home and "/statistics/" in home
    assert "異動集計表" in statistician.get("/statistics/").content.decode()
    page = statistician.get("/statistics/movements/", {"month": "令和8年11月"}).content.decode()
    assert 'data-testid="table-movements"' in page and "国内転入" in page and "令和8年11月1日" in page
    page = statistician.get("/statistics/movements/", {"start": "R8.12.1", "end": "R8.11.1"}).content.decode()
    assert "期間の終わりは始まりより後の日" in page
    page = statistician.get("/statistics/population/", {"as_of": "R8.11.30"}).content.decode()
    assert "町字・丁目別" in page and "ベトナム" in page and "pyramid.png" in page
    assert (
        statistician.get("/statistics/population/pyramid.png", {"as_of": "2026-11-30"})["Content-Type"] == "image/png"
    )
    page = statistician.get("/statistics/survey/", {"year": "R9"}).content.decode()
    assert "第1表" in page and "第2表" in page and "第3表" in page
    assert statistician.get("/statistics/survey/", {"year": "99999"}).status_code == 200  # an error shown, no 500
    assert statistician.get("/statistics/population/", {"as_of": "x" * 300}).status_code == 200


@pytest.mark.spec("6.1", partial=True)
def test_every_file_is_print_logged(statistician: Client, counter: User, reviewer: User) -> None:
    small_city(counter, reviewer)
    before = PrintLog.objects.count()
    pdf = statistician.get("/statistics/export/movements.pdf", {"start": "2026-11-01", "end": "2026-11-30"})
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    with pdfplumber.open(io.BytesIO(pdf.content)) as document:
        text = "".join(page.extract_text() or "" for page in document.pages).replace(" ", "")
    assert "異動集計表" in text and "令和8年11月1日〜令和8年11月30日" in text and "国内転入" in text
    csv = statistician.get("/statistics/export/population.csv", {"as_of": "2026-11-30"})
    assert "ベトナム" in csv.content.decode("utf-8-sig")
    xlsx = statistician.get("/statistics/export/survey.xlsx", {"year": "2027"})
    book = load_workbook(io.BytesIO(xlsx.content))
    assert book.sheetnames[0].startswith("第1表")
    png = statistician.get("/statistics/export/pyramid.png", {"as_of": "2026-11-30"})
    assert png.content.startswith(b"\x89PNG")
    logs = list(PrintLog.objects.order_by("id")[before:])
    assert [(log.title, log.mode) for log in logs] == [
        ("異動集計表", "pdf"),
        ("人口統計", "file"),
        ("住民基本台帳に基づく人口、人口動態及び世帯数調査", "file"),
        ("人口ピラミッド", "file"),
    ]
    assert all(log.persons == [] for log in logs)
    assert statistician.get("/statistics/export/nothing.pdf").status_code == 400
    assert statistician.get("/statistics/export/population.png", {"as_of": "2026-11-30"}).status_code == 400


def test_the_api_answers_each_table(statistician: Client, counter: User, reviewer: User) -> None:
    small_city(counter, reviewer)
    answer = statistician.get("/api/v1/statistics/movements", {"start": "2026-11-01", "end": "2026-11-30"})
    assert answer.status_code == 200, answer.content
    rows = {row["label"]: row["values"] for row in answer.json()[0]["rows"]}
    assert rows["国内転入"][1:4] == [4, 1, 5]
    population = statistician.get("/api/v1/statistics/population", {"as_of": "2026-11-30"}).json()
    assert [t["key"] for t in population] == ["areas", "ages", "bands", "nationalities"]
    survey = statistician.get("/api/v1/statistics/survey", {"year": 2027}).json()
    assert survey[0]["title"].startswith("第1表")
    assert statistician.get("/api/v1/statistics/survey", {"year": 99999}).status_code == 400
    assert statistician.get("/api/v1/statistics/population", {"as_of": "0001-01-01"}).status_code == 400


def test_operators_without_the_capability_are_refused(logged_in_client: Client) -> None:
    assert logged_in_client.get("/statistics/").status_code == 403
    assert logged_in_client.get("/api/v1/statistics/population", {"as_of": "2026-11-30"}).status_code == 403
