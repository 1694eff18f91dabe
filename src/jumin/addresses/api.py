"""API of the address master for entry screens and linked systems: postcode -> address,
kana-prefix entry, our 町字, 方書 suggested from a 番地 (spec 1.3.3, 1.3.4, 4.0.7).
No personal data: nothing here is written to the access log."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router, Schema, Status

from jumin.addresses import queries
from jumin.addresses.models import PostalEntry
from jumin.core.errors import DomainError
from jumin.free_text import refuse_in_texts

router = Router(tags=["addresses"])


class EntryOut(Schema):
    postcode: str
    address: str
    kana: str
    lg_code5: str


class TownOut(Schema):
    name: str
    kana: str
    postcode: str
    oaza_code: str
    has_chome: bool


class ComposedOut(Schema):
    address: str
    banchi: str
    address_code: str
    postcode: str
    town: str
    oaza_code: str
    chome: int | None


class BuildingOut(Schema):
    katagaki: str
    kana: str
    banchi: str


def _entry(entry: PostalEntry) -> EntryOut:
    return EntryOut(
        postcode=entry.postcode,
        address=f"{entry.prefecture}{entry.municipality}{entry.town}",
        kana=f"{entry.prefecture_kana}{entry.municipality_kana}{entry.town_kana}",
        lg_code5=entry.lg_code5,
    )


@router.get("/addresses/postcode/{postcode}", response=list[EntryOut], summary="郵便番号から住所")
def by_postcode(request: HttpRequest, postcode: str) -> list[EntryOut]:
    return [_entry(e) for e in queries.entries_by_postcode(postcode.replace("-", ""))]


@router.get(
    "/addresses/postcode/{postcode}/choices",
    response={200: list[ComposedOut], 400: dict},
    summary="郵便番号から住所（丁目まで選ぶ）",
)
def postcode_choices(request: HttpRequest, postcode: str) -> object:
    """The addresses to choose from for a postcode: our 町字 one per 丁目, with the 住所コード."""
    try:
        return queries.postcode_choices(postcode.replace("-", ""))
    except DomainError as error:
        return Status(400, {"code": error.code, "message": error.message})


@router.get("/addresses/search", response=list[EntryOut], summary="カナの先頭から住所（全国）")
def by_kana(request: HttpRequest, kana: str) -> list[EntryOut]:
    return [_entry(e) for e in queries.entries_by_kana(kana)]


@router.get("/addresses/towns", response=list[TownOut], summary="この市の町字（カナの先頭で絞り込み）")
def towns(request: HttpRequest, kana: str = "") -> list[TownOut]:
    return [
        TownOut(name=t.name, kana=t.kana, postcode=t.postcode, oaza_code=t.oaza_code, has_chome=t.has_chome)
        for t in queries.our_towns(kana)
    ]


@router.get(
    "/addresses/compose",
    response={200: list[ComposedOut], 400: dict},
    summary="住所の入力（町字・丁目・番地・住所コード）",
)
def compose(request: HttpRequest, text: str) -> object:
    """「平塚4-7-11」 → 町字 平塚, 四丁目, 7番11号 and the 住所コード (issue 17); [] when the text
    names none of our 町字 (then it stays as typed).  A text holding a 個人番号 is refused."""
    try:
        refuse_in_texts({"text": text})
    except DomainError as error:
        return Status(400, {"code": error.code, "message": error.message})
    return [ComposedOut(**vars(c)) for c in queries.compose_address(text[:200])]


@router.get("/addresses/buildings", response={200: list[BuildingOut], 400: dict}, summary="番地から方書の候補")
def buildings(request: HttpRequest, town: str, banchi: str, chome: int | None = None) -> object:
    found = queries.town_by_code(town)
    if found is None:
        return Status(400, {"code": "address.town", "message": "その大字コードの町字はありません。"})
    try:
        return [
            BuildingOut(katagaki=b.name, kana=b.kana, banchi=b.banchi_text)
            for b in queries.suggest_buildings(found, banchi, chome=chome)
        ]
    except DomainError as error:
        return Status(400, {"code": error.code, "message": error.message})
