"""The data QR code of a 転出証明書 (spec 10.8, 20.2.1): its persons as CSV text, so that the
new municipality reads them instead of typing them.

Version 2 (``JUMIN-TENSHUTSU-2``) carries the 生年月日 as it is recorded — an uncertain date
stays 「昭和55年頃」.  Version 1 turned it into a calendar date (1980-01-01), a みなし生年月日,
which the standard forbids (1.1.8 X); a version 1 code is refused when read, so that no such
date enters a register.

Layout: a header line ``JUMIN-TENSHUTSU-2,<地方公共団体コード>``, then one line per person::

    氏名,フリガナ,生年月日（記録のとおり）,性別コード,続柄,住民票コード,個人番号,転出先,転出予定日(ISO)

Pure: text in, text out; errors as :class:`~jumin.core.errors.DomainError`.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import astuple, dataclass, fields

from jumin.core.errors import DomainError

VERSION = "JUMIN-TENSHUTSU-2"
OLD_VERSIONS = ("JUMIN-TENSHUTSU-1",)


@dataclass(frozen=True)
class Mover:
    """One person of a 転出証明書, every value already final text."""

    name: str
    furigana: str
    birth: str  # as recorded: 「昭和55年4月1日」「昭和55年頃」「1990年5月3日」
    sex: str  # "1" | "2"
    relationship: str
    resident_code: str
    individual_number: str
    destination: str
    planned_move_out_on: str  # ISO date or ""


COLUMNS = len(fields(Mover))


def encode(lg_code: str, movers: Iterable[Mover]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([VERSION, lg_code])
    for mover in movers:
        writer.writerow(astuple(mover))
    return out.getvalue()


def decode(text: str) -> tuple[str, tuple[Mover, ...]]:
    """(地方公共団体コード, persons) of a code read from a 転出証明書."""
    lines = list(csv.reader(io.StringIO(text)))
    if not lines or not lines[0]:
        raise DomainError("move_out_qr.bad_format", "転出証明書のQRコードとして読み取れません。")
    header = lines[0]
    if header[0] in OLD_VERSIONS:
        raise DomainError(
            "move_out_qr.old_version",
            "旧形式（第1版）のQRコードです。生年月日が正しく読み取れないため、転出証明書の記載から入力してください。",
        )
    if header[0] != VERSION or len(header) != 2:
        raise DomainError("move_out_qr.bad_format", "転出証明書のQRコードとして読み取れません。")
    rows = [row for row in lines[1:] if row]
    if not rows or any(len(row) != COLUMNS for row in rows):
        raise DomainError("move_out_qr.bad_format", "転出証明書のQRコードの項目数が違います。")
    return header[1], tuple(Mover(*row) for row in rows)
