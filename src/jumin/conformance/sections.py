"""The sections of the standard specification (sections.toml) with their M/O/X status."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

DATA = Path(__file__).with_name("sections.toml")


@dataclass(frozen=True)
class Section:
    id: str
    section: str
    chapter: str
    title: str
    gloss: str
    status: str  # M, O, M/O, X

    @property
    def must_not_build(self) -> bool:
        return self.status == "X"

    @property
    def required(self) -> bool:
        return self.status == "M"


@cache
def all_sections() -> dict[str, Section]:
    with DATA.open("rb") as handle:
        rows = tomllib.load(handle)["section"]
    return {row["id"]: Section(**row) for row in rows}
