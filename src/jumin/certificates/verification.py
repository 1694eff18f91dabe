"""The public verification of a certificate (beyond the standard): given a 発行番号 (and the
signature from its QR code, or the PDF itself), say whether it was issued, when, whether the
signature is genuine, whether the PDF is the one issued and whether it was destroyed (処分).
Nothing about the persons or the requester is ever answered."""

from __future__ import annotations

import hashlib
import hmac
import re
import unicodedata
from dataclasses import dataclass

from django.utils import timezone

from jumin.certificates import signing
from jumin.certificates.models import Issuance
from jumin.conf.domain import era_table


@dataclass(frozen=True)
class Answer:
    issue_no: str
    issued: bool
    issued_at: str = ""  # 和暦 and time
    signature: str = "none"  # valid | invalid | none (not given)
    document: str = "none"  # match | mismatch | none (no PDF given)
    disposed: bool = False

    @property
    def genuine(self) -> bool:
        return self.issued and not self.disposed and self.signature != "invalid" and self.document != "mismatch"


PAGE_PART = re.compile(r" \d+/\d+$")


def _base(issue_no: str) -> str:
    return PAGE_PART.sub("", " ".join(issue_no.split()))


def normalized(issue_no: str) -> list[str]:
    """The ways the 発行番号 may be recorded: spaces (also full-width) collapsed, the page part
    printed on each page (「 1/2」) dropped — as typed, and with full-width digits made ASCII."""
    typed = _base(issue_no)
    return list(dict.fromkeys((typed, _base(unicodedata.normalize("NFKC", issue_no)))))


def check(issue_no: str, signature: str = "", document: bytes | None = None, *, digest: str = "") -> Answer:
    """``document`` is the PDF itself; ``digest`` its SHA-256 (hex) computed by the verifier,
    so that a linked system need not send the copy at all."""
    candidates = normalized(issue_no)
    issue_no = candidates[0]
    row = Issuance.objects.filter(issue_no__in=candidates).order_by("pk").first()
    if row is None:
        return Answer(issue_no, issued=False)
    at = timezone.localtime(row.issued_at)
    signed = "none"
    if signature:
        ok = signing.valid(signature.strip(), row.issue_no, at.date(), row.kind) and signature.strip() == row.signature
        signed = "valid" if ok else "invalid"
    matched = "none"
    if document is not None:
        digest = hashlib.sha256(document).hexdigest()
    if digest:
        matched = "match" if hmac.compare_digest(digest.strip().lower(), row.sha256) else "mismatch"
    return Answer(
        row.issue_no,
        issued=True,
        issued_at=f"{era_table().format(at.date())} {at:%H:%M}",
        signature=signed,
        document=matched,
        disposed=row.disposals.exists(),
    )


def public_key_text() -> str:
    return signing.public_key_text()
