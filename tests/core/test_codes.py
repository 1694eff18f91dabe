"""11-digit 住所コード (spec 1.3.3)."""

import pytest

from jumin.core.codes import AddressCode
from jumin.core.errors import DomainError


@pytest.mark.spec("1.3.3", partial=True)
def test_address_code_structure() -> None:
    code = AddressCode.parse("11219001002")
    assert code == AddressCode("11", "219", "001", "002")
    assert code.lg_code5 == "11219"
    assert code.lg_code6 == "112194"
    assert str(code) == "11219001002"
    assert AddressCode("11", "219") < AddressCode("11", "219", "001")


@pytest.mark.parametrize("value", ["1121900100", "1121900100X", "00219001002", "48219001002"])
def test_bad_address_codes(value: str) -> None:
    with pytest.raises(DomainError):
        AddressCode.parse(value)


def test_bad_parts() -> None:
    with pytest.raises(DomainError):
        AddressCode("11", "21")
