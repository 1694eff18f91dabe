"""コンビニ交付 rules as data (jumin.core.kiosk): service hours, 年末年始, fees, reason codes."""

from __future__ import annotations

from datetime import datetime

import pytest

from jumin.core import kiosk as k

pytestmark = pytest.mark.spec("7.2.5", partial=True)


@pytest.mark.parametrize(
    ("at", "code"),
    [
        (datetime(2026, 12, 1, 6, 29), k.OUT_OF_HOURS),
        (datetime(2026, 12, 1, 6, 30), ""),
        (datetime(2026, 12, 1, 22, 59), ""),
        (datetime(2026, 12, 1, 23, 0), k.OUT_OF_HOURS),
        (datetime(2026, 12, 28, 12, 0), ""),
        (datetime(2026, 12, 29, 12, 0), k.YEAR_END),
        (datetime(2027, 1, 3, 12, 0), k.YEAR_END),
        (datetime(2027, 1, 4, 6, 30), ""),
    ],
)
def test_service_hours_and_year_end(at: datetime, code: str) -> None:
    assert k.service_refusal(at) == code


def test_every_reason_has_a_message_and_a_unique_code() -> None:
    codes = [
        getattr(k, name) for name in dir(k) if name.isupper() and isinstance(getattr(k, name), str) and name != "COPY"
    ]
    assert {c for c in codes if c.startswith("K")} <= set(k.REASONS)
    assert all(reason.message.endswith("。") for reason in k.REASONS.values())
    assert k.fee(k.COPY, 3) == 3 * k.FEES[k.COPY]
    assert "individual_number" not in k.CHOOSABLE_ITEMS and "resident_code" not in k.CHOOSABLE_ITEMS


def test_a_transaction_counts_for_its_local_day() -> None:
    assert k.business_date(datetime(2026, 12, 1, 22, 59)) == datetime(2026, 12, 1).date()
    assert k.business_date(datetime(2027, 1, 4, 6, 30)) == datetime(2027, 1, 4).date()
