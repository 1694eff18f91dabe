"""The 転出証明書's data QR (10.8, 20.2.1): the 生年月日 carried as recorded (1.1.8)."""

from __future__ import annotations

import pytest

from jumin.core.errors import DomainError
from jumin.core.move_out_qr import VERSION, Mover, decode, encode

TARO = Mover(
    "上尾　太郎", "アゲオ　タロウ", "昭和55年頃", "1", "世帯主", "12345678901", "", "東京都港区芝公園4丁目2番8号", ""
)


@pytest.mark.spec("1.1.8", "20.2.1")
def test_an_uncertain_birth_date_travels_as_written() -> None:
    hanako = Mover("上尾　花子", "アゲオ　ハナコ", "昭和57年6月3日", "2", "妻", "", "", "東京都港区", "2026-12-10")
    text = encode("112194", [TARO, hanako])
    assert text.splitlines()[0] == f"{VERSION},112194"
    assert "昭和55年頃" in text and "1980-01-01" not in text
    assert decode(text) == ("112194", (TARO, hanako))


@pytest.mark.spec("1.1.8")
def test_a_version_1_code_is_refused() -> None:
    with pytest.raises(DomainError) as error:
        decode("JUMIN-TENSHUTSU-1,112194\n上尾　太郎,アゲオ　タロウ,1980-01-01,1,世帯主,,,港区,\n")
    assert error.value.code == "move_out_qr.old_version"


@pytest.mark.parametrize(
    "text",
    [
        "",
        "\n",
        "SOMETHING-ELSE,112194\n",
        f"{VERSION}\n",
        f"{VERSION},112194\n",  # no person
        f"{VERSION},112194\na,b,c\n",  # too few columns
    ],
)
def test_anything_else_is_not_a_move_out_code(text: str) -> None:
    with pytest.raises(DomainError) as error:
        decode(text)
    assert error.value.code == "move_out_qr.bad_format"
