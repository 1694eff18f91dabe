"""A logging filter that keeps 個人番号 and 住民票コード out of every log line.

Services never log those numbers on purpose; this filter is the safety net for the
cases nobody thought of (an exception text, a third-party library's debug output).
Any run of 11 or 12 digits — also in full-width digits or split by spaces or hyphens
in the usual 4-4-4 grouping — is replaced before the record is written, unless it is part
of a longer token of ASCII letters and digits (a hex hash, an id).
"""

from __future__ import annotations

import logging
import re

# A run of digits counts only when it stands alone: not inside a longer token of ASCII
# letters and digits (a hex hash, a request id), which would otherwise be corrupted.
_NUMBER = re.compile(
    r"(?<![0-9０-９A-Za-z])"
    r"(?:[0-9０-９]{4}[ \-]?[0-9０-９]{4}[ \-]?[0-9０-９]{3,4}|[0-9０-９]{11,12})"
    r"(?![0-9０-９A-Za-z])"
)
MASK = "[番号マスク]"


def redact(text: str) -> str:
    return _NUMBER.sub(MASK, text)


class RedactNumbersFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        record.msg = redact(message)
        record.args = None
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True
