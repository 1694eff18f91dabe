"""The address master through the API used by the entry screens (1.3.3, 1.3.4, 4.0.7)."""

import pytest
from django.test import Client

from jumin.addresses.models import Town

pytestmark = pytest.mark.django_db


@pytest.mark.spec("1.3.3", "1.1.17", partial=True)
def test_postcode_and_kana_lookups(logged_in_client: Client, saitama: None, towns: dict[str, Town]) -> None:
    entries = logged_in_client.get("/api/v1/addresses/postcode/3620031").json()
    assert entries == [
        {
            "postcode": "3620031",
            "address": "埼玉県上尾市東町",
            "kana": "サイタマケンアゲオシアズマチョウ",
            "lg_code5": "11219",
        }
    ]
    found = logged_in_client.get("/api/v1/addresses/search", {"kana": "アゲオシアズ"}).json()
    assert any(e["address"] == "埼玉県上尾市東町" for e in found)
    ours = logged_in_client.get("/api/v1/addresses/towns", {"kana": "アズ"}).json()
    assert [t["name"] for t in ours] == ["東町"]
    assert logged_in_client.get("/api/v1/addresses/buildings", {"town": "999", "banchi": "1"}).status_code == 400


def test_address_api_needs_credentials(saitama: None) -> None:
    assert Client().get("/api/v1/addresses/postcode/3620031").status_code == 401


@pytest.mark.spec("4.0.7", partial=True)
def test_katagaki_suggested_from_the_banchi(logged_in_client: Client, towns: dict[str, Town]) -> None:
    from jumin.addresses.services import add_building

    town = towns["東町"]
    add_building(town, "2番1号", "コーポ東町", "コーポアズマチョウ", chome=3)
    found = logged_in_client.get("/api/v1/addresses/buildings", {"town": town.oaza_code, "banchi": "2番", "chome": 3})
    assert [b["katagaki"] for b in found.json()] == ["コーポ東町"]
