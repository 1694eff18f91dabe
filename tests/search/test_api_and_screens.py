"""/api/v1/search and the /search/ screens: same rules, masking and access log as the query."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from jumin.accounts.models import Terminal, User
from jumin.accounts.services import add_linked_system
from jumin.audit.models import AccessLog
from jumin.search.models import SearchHistory, VariantKanji
from tests.conftest import device_cookie, log_in
from tests.search.conftest import NUMBER, City

pytestmark = pytest.mark.django_db


def _api(key: str, body: dict[str, Any]) -> Any:
    return Client().post(
        "/api/v1/search", body, content_type="application/json", headers={"Authorization": f"Bearer {key}"}
    )


@pytest.mark.spec("2.1.3", partial=True)
def test_search_api(city: City) -> None:
    _, plain = add_linked_system("KONBINI", "コンビニ交付システム", ["view_resident"])
    _, numbers = add_linked_system("ATENA", "宛名システム", ["view_resident", "see_individual_number"])
    _, none = add_linked_system("OTHER", "その他", [])
    found = _api(plain, {"criteria": {"name": "渡辺 太郎", "birth": "S55.4.1"}})
    assert found.status_code == 200, found.content.decode()
    body = found.json()
    assert body["count"] == 1 and body["hits"][0]["atena_no"] == city.watanabe.atena_no
    assert body["hits"][0]["values"]["individual_number"] == "************"
    assert "individual_number" in body["hits"][0]["masked"] and body["hits"][0]["marks"] == []
    refused = _api(plain, {"criteria": {"name": "渡辺"}})
    assert refused.status_code == 400 and refused.json()["code"] == "search.criteria_not_allowed"
    forbidden = _api(plain, {"criteria": {"individual_number": NUMBER}})
    assert forbidden.status_code == 400 and forbidden.json()["code"] == "search.criterion_forbidden"
    by_number = _api(numbers, {"criteria": {"individual_number": NUMBER}, "screen": "identity"})
    assert by_number.json()["hits"][0]["values"]["individual_number"] == NUMBER
    assert _api(none, {"criteria": {"name": "渡辺", "birth": "S55.4.1"}}).status_code == 403
    logs = list(AccessLog.objects.filter(purpose__startswith="search.").order_by("id"))
    assert [(log.client, log.purpose, log.result_count) for log in logs] == [
        ("KONBINI", "search.api", 1),
        ("ATENA", "search.identity", 1),
    ]
    assert NUMBER not in str(logs[1].criteria)
    assert SearchHistory.objects.count() == 0  # linked systems have no personal history
    unauthenticated = Client().post("/api/v1/search", {"criteria": {}}, content_type="application/json")
    assert unauthenticated.status_code == 401


@pytest.mark.spec("2.1.1", "2.1.3", partial=True)
def test_search_screen_history_and_reuse(city: City, counter: User, terminal: Terminal) -> None:
    client = Client()
    client.cookies["jumin_terminal"] = device_cookie(terminal)
    log_in(client, counter)
    page = client.get("/search/")
    assert page.status_code == 200 and "住民検索" in page.content.decode()
    assert 'name="individual_number"' not in page.content.decode()  # no capability, no field
    response = client.post("/search/", {"name": "わたなべ", "birth": "昭和55年4月1日", "mode": "prefix", "past": "1"})
    html = response.content.decode()
    assert 'data-testid="result-count">1<' in html and "渡邊　太郎" in html and "************" in html
    refused = client.post("/search/", {"name": "渡辺", "mode": "prefix"}).content.decode()
    assert "組み合わせでは検索できません" in refused
    saved = SearchHistory.objects.filter(user=counter, outcome="ok").get()
    reuse = client.get(f"/search/?from={saved.pk}").content.decode()
    assert 'value="わたなべ"' in reuse
    edit = client.post(
        f"/search/history/{saved.pk}/", {"label": "渡辺さん", "name": "渡辺", "address": "原市", "mode": "exact"}
    )
    assert edit.status_code == 302
    saved.refresh_from_db()
    assert saved.label == "渡辺さん" and saved.criteria["address"] == "原市"
    assert "渡辺さん" in client.get("/search/").content.decode()


def test_variant_screen(city: City, counter: User, reviewer: User, terminal: Terminal) -> None:
    client = Client()
    client.cookies["jumin_terminal"] = device_cookie(terminal)
    log_in(client, counter)
    page = client.get("/search/variants/?char=辺").content.decode()
    assert "邊" in page and "異体字の登録" not in page
    assert client.post("/search/variants/", {"char": "郎", "variant": "朗"}).status_code == 403
    client.post("/accounts/logout/")
    log_in(client, reviewer, 1)
    assert client.post("/search/variants/", {"char": "郎", "variant": "朗", "note": "誤記"}).status_code == 302
    assert VariantKanji.objects.filter(char="郎", variant="朗", added_by=reviewer).exists()
    bad = client.post("/search/variants/", {"char": "郎郎", "variant": "朗"}, follow=True).content.decode()
    assert "1文字ずつ" in bad
