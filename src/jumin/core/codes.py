"""Structured codes: the 11-digit 住所コード of standard spec 1.3.3.

住所コード = 都道府県 (2, JIS X 0401) + 市区町村 (3, JIS X 0402) + 大字 (3) + 小字 (3).
The first five digits are the 全国地方公共団体コード without its check digit.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from jumin.core.check_digits import lg_code_to_6
from jumin.core.errors import DomainError


@dataclass(frozen=True, order=True)
class AddressCode:
    prefecture: str
    municipality: str
    oaza: str = "000"
    koaza: str = "000"

    def __post_init__(self) -> None:
        for part, width in ((self.prefecture, 2), (self.municipality, 3), (self.oaza, 3), (self.koaza, 3)):
            if not re.fullmatch(rf"[0-9]{{{width}}}", part):
                raise DomainError(
                    "address_code.bad_format", "住所コードは11桁の数字です（都道府県2・市区町村3・大字3・小字3）。"
                )
        if not 1 <= int(self.prefecture) <= 47:
            raise DomainError("address_code.bad_prefecture", "都道府県コードは01から47までです。")

    @classmethod
    def parse(cls, value: str) -> AddressCode:
        if not re.fullmatch(r"[0-9]{11}", value):
            raise DomainError(
                "address_code.bad_format", "住所コードは11桁の数字です（都道府県2・市区町村3・大字3・小字3）。"
            )
        return cls(value[0:2], value[2:5], value[5:8], value[8:11])

    @property
    def lg_code5(self) -> str:
        """The 5-digit 全国地方公共団体コード of the municipality."""
        return self.prefecture + self.municipality

    @property
    def lg_code6(self) -> str:
        return lg_code_to_6(self.lg_code5)

    def __str__(self) -> str:
        return f"{self.prefecture}{self.municipality}{self.oaza}{self.koaza}"
