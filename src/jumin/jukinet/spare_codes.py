"""空きコード (4.3.1, 7.1.1.1): the spare 住民票コード received from CS, and the stock alert.

:func:`import_spare_codes` adds the codes of one CS delivery to ``registry.SpareResidentCode``.
Each code must have a correct check digit (``JUMIN_RESIDENT_CODE_FORMULA``); a code already in
the stock is counted as a duplicate (importing the same file twice adds nothing); a code some
resident already carries is refused.  One transaction, one operation-log row with the counts;
refused codes are reported by line number only — no 住民票コード reaches a log or a message.

:func:`spare_code_status` gives the unassigned stock and whether it is below
``JUMIN_SPARE_CODE_THRESHOLD`` (default 500): time to ask CS for more codes.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.db import transaction

from jumin.audit.services import record_operation
from jumin.conf.domain import resident_code_formula
from jumin.core.check_digits import validate_resident_code
from jumin.core.errors import DomainError
from jumin.registry.models import Resident, SpareResidentCode

logger = logging.getLogger(__name__)

DEFAULT_THRESHOLD = 500
CHUNK = 1000


def threshold() -> int:
    value: object = getattr(settings, "JUMIN_SPARE_CODE_THRESHOLD", None)
    if value is None:
        value = os.environ.get("JUMIN_SPARE_CODE_THRESHOLD", "") or DEFAULT_THRESHOLD
    return int(str(value))


@dataclass(frozen=True)
class SpareCodeStatus:
    stock: int
    threshold: int

    @property
    def below_threshold(self) -> bool:
        return self.stock < self.threshold

    @property
    def message(self) -> str:
        if self.below_threshold:
            return (
                f"住民票コードの空きコードが残り{self.stock}件で、しきい値{self.threshold}件を下回っています。"
                "CSから空きコードを取り込んでください。"
            )
        return f"住民票コードの空きコードは残り{self.stock}件です（しきい値{self.threshold}件）。"


def spare_code_status() -> SpareCodeStatus:
    """The unassigned stock and the alert (logged as a warning when below the threshold)."""
    status = SpareCodeStatus(SpareResidentCode.objects.filter(assigned_to="").count(), threshold())
    if status.below_threshold:
        logger.warning("jukinet: spare resident codes low: %s left (threshold %s)", status.stock, status.threshold)
    return status


@dataclass
class ImportResult:
    added: int = 0
    duplicates: int = 0
    rejected: list[tuple[int, str]] = field(default_factory=list)  # (line number, error code)
    status: SpareCodeStatus | None = None


def import_spare_codes(codes: Iterable[str], *, source: str = "") -> ImportResult:
    """Add the valid new codes of one delivery (line numbers count from 1; blank lines and lines
    starting with ``#`` are skipped) to the spare stock, in one transaction."""
    formula = resident_code_formula()
    result = ImportResult()
    valid: dict[str, int] = {}
    for number, line in enumerate(codes, start=1):
        code = line.strip()
        if not code or code.startswith("#"):
            continue
        try:
            validate_resident_code(code, formula)
        except DomainError as exc:
            result.rejected.append((number, exc.code))
            continue
        if code in valid:
            result.duplicates += 1
        else:
            valid[code] = number
    with transaction.atomic():
        fresh: list[str] = []
        pending = list(valid)
        for start in range(0, len(pending), CHUNK):
            chunk = pending[start : start + CHUNK]
            stock = dict(SpareResidentCode.objects.filter(code__in=chunk).values_list("code", "assigned_to"))
            used = set(Resident.objects.filter(resident_code__in=chunk).values_list("resident_code", flat=True))
            used |= {code for code, assigned_to in stock.items() if assigned_to}
            result.duplicates += sum(1 for c in chunk if c in stock and c not in used)
            result.rejected.extend((valid[c], "resident_code.in_use") for c in chunk if c in used)
            fresh.extend(c for c in chunk if c not in stock and c not in used)
        created = SpareResidentCode.objects.bulk_create(
            [SpareResidentCode(code=code) for code in fresh], batch_size=CHUNK, ignore_conflicts=True
        )
        result.added = len(created)
        result.rejected.sort()
        result.status = spare_code_status()
        record_operation(
            action="jukinet.spare_codes_imported",
            target_type="jukinet",
            target_id=Path(source).name[:100] if source else "",
            after={
                "added": result.added,
                "duplicates": result.duplicates,
                "rejected_lines": [n for n, _ in result.rejected][:100],
                "stock": result.status.stock,
            },
        )
    logger.info(
        "jukinet: spare codes imported: %s added, %s duplicates, %s refused",
        result.added,
        result.duplicates,
        len(result.rejected),
    )
    return result


def import_spare_code_file(path: Path) -> ImportResult:
    """A CS delivery file: one 住民票コード per line (UTF-8 or ASCII)."""
    try:
        lines = path.read_text(encoding="utf-8-sig").splitlines()
    except (OSError, UnicodeDecodeError):
        raise DomainError("spare_codes.unreadable", "空きコードのファイルを読めませんでした。") from None
    return import_spare_codes(lines, source=str(path))
