"""The search keys of a person record (spec 2.1.2): the readings in the form jumin.search
compares a typed reading with.  Every record carries them — the projection, every history
row, the 除票DB — so that current and past names are found by kana through an index."""

from __future__ import annotations

from typing import Any

from jumin.core.kana import search_key


def search_keys(furigana_surname: str, furigana_given_name: str, name_alphabet: str) -> tuple[str, str]:
    """(key of the full reading — or of the alphabet name when there is no reading, key of
    the given name's reading)."""
    full = f"{furigana_surname}\u3000{furigana_given_name}".strip("\u3000")
    return search_key(full or name_alphabet), search_key(furigana_given_name)


def set_search_keys(record: Any) -> None:
    """Derive ``name_key`` / ``given_name_key`` of a record about to be written."""
    record.name_key, record.given_name_key = search_keys(
        record.furigana_surname, record.furigana_given_name, record.name_alphabet
    )
