"""No 個人番号 or 住民票コード reaches a log line, whatever the caller logs."""

import logging

import pytest

from jumin.log_redaction import MASK, RedactNumbersFilter, redact


@pytest.mark.parametrize(
    "text",
    ["番号 123456789018 です", "code=12345678903", "1234 5678 9018", "1234-5678-9018", "１２３４５６７８９０１８"],
)
def test_numbers_are_masked(text: str) -> None:
    assert MASK in redact(text)
    assert not any(ch.isdigit() for ch in redact(text).replace("番号", ""))


@pytest.mark.parametrize(
    "text",
    [
        "2026-11-26 12:00:01",
        "宛名番号 0000000060",
        "port 5432",
        "1234567890123",
        "hash 123456789012ab0f3c",
        "f0e1d2123456789012",
    ],
)
def test_other_numbers_are_kept(text: str) -> None:
    assert redact(text) == text


def test_filter_masks_arguments_and_tracebacks(caplog: pytest.LogCaptureFixture) -> None:
    logger = logging.getLogger("jumin.test.redaction")
    logger.addFilter(RedactNumbersFilter())
    with caplog.at_level(logging.INFO, logger="jumin.test.redaction"):
        logger.info("looked up %s", "123456789018")
        try:
            raise ValueError("bad 123456789018")
        except ValueError:
            logger.exception("failed")
    text = caplog.text
    assert "123456789018" not in text
    assert "looked up [番号マスク]" in text
    assert "ValueError: bad [番号マスク]" in text
