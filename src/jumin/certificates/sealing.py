"""The issued content of a copy, sealed into its 交付履歴 (``Issuance.content``).

A 再交付 reproduces what was issued — not what the register says today (a person may have
moved, been corrected or 改製 since).  So every copy stores its content (what
:class:`~jumin.certificates.content.CertificateContent` held when it was printed, without its
発行番号 and verification code): JSON, compressed, encrypted with AES-256-GCM under a key
derived (HKDF-SHA256) from the data key and the 発行番号, the 発行番号 as associated data.
A row whose content was altered, or moved to another 発行番号, does not open
(``certificate.content_tampered``); a copy issued before contents were kept has none
(``certificate.no_content``).

The content holds personal data (a 個人番号 when one was printed): it is opened only by
:func:`jumin.certificates.services.reissue` and :func:`~jumin.certificates.services.overflow_list`,
which check the capability and write the access log."""

from __future__ import annotations

import base64
import binascii
import json
import os
import zlib
from dataclasses import asdict
from datetime import date
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings

from jumin.certificates import content as c
from jumin.core.certificates import IssueNumber
from jumin.core.errors import DomainError

FORMAT = b"\x01"  # version of the sealed layout
_INFO = b"jumin.certificates.content/1:"


def _key(issue_no: str) -> bytes:
    hkdf = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_INFO + issue_no.encode())
    return hkdf.derive(settings.SECRETS.data_key)


def _plain(document: c.CertificateContent) -> dict[str, Any]:
    data = asdict(document)
    data.pop("issue_number")
    data.pop("verification")
    data["issued_on"] = document.issued_on.isoformat()
    seal = document.certifier.seal_png
    data["certifier"]["seal_png"] = base64.b64encode(seal).decode() if seal is not None else None
    return data


def _fields(values: list[dict[str, Any]]) -> tuple[c.Field, ...]:
    return tuple(c.Field(**v) for v in values)


def _document(data: dict[str, Any]) -> c.CertificateContent:
    certifier = dict(data["certifier"])
    seal = certifier.pop("seal_png")
    issued_on = date.fromisoformat(data["issued_on"])
    return c.CertificateContent(
        kind=data["kind"],
        title=data["title"],
        layout=data["layout"],
        address=data["address"],
        katagaki=data["katagaki"],
        head_name=data["head_name"],
        persons=tuple(
            c.PersonBlock(
                atena_no=p["atena_no"],
                fields=_fields(p["fields"]),
                history=tuple(p["history"]),
                alias_history=tuple(p["alias_history"]),
                remarks=tuple(p["remarks"]),
            )
            for p in data["persons"]
        ),
        attestation=data["attestation"],
        issued_on=issued_on,
        issued_on_text=data["issued_on_text"],
        certifier=c.Certifier(**certifier, seal_png=base64.b64decode(seal) if seal is not None else None),
        issue_number=IssueNumber(issued_on, "", "", "", 1),  # replaced by the caller
        official_use=data["official_use"],
        data_qr=data["data_qr"],
        extra=_fields(data["extra"]),
    )


def seal(document: c.CertificateContent, issue_no: str) -> bytes:
    """The sealed content of the copy numbered ``issue_no``."""
    plain = zlib.compress(json.dumps(_plain(document), ensure_ascii=False).encode(), 6)
    nonce = os.urandom(12)
    return FORMAT + nonce + AESGCM(_key(issue_no)).encrypt(nonce, plain, issue_no.encode())


def open_content(sealed: bytes | memoryview | None, issue_no: str) -> c.CertificateContent:
    """The content issued under ``issue_no`` (its 発行番号 and verification code left out)."""
    raw = bytes(sealed or b"")
    if not raw:
        raise DomainError(
            "certificate.no_content", "この証明書は交付した内容が保存されていないため、再交付できません。"
        )
    try:
        if raw[:1] != FORMAT:
            raise InvalidTag
        plain = AESGCM(_key(issue_no)).decrypt(raw[1:13], raw[13:], issue_no.encode())
        return _document(json.loads(zlib.decompress(plain)))
    except (InvalidTag, ValueError, KeyError, TypeError, zlib.error):
        raise DomainError(
            "certificate.content_tampered", "交付した内容の検証に失敗しました（改ざんの疑い）。再交付できません。"
        ) from None


def to_plain(document: c.CertificateContent) -> dict[str, Any]:
    """The content as JSON-ready data (no 発行番号, verification code; the seal as base64):
    what a 広域交付 answer carries over 住基ネット."""
    return _plain(document)


def from_plain(data: Any) -> c.CertificateContent:
    """The content of :func:`to_plain` (DomainError ``certificate.bad_content`` when malformed)."""
    try:
        document = _document(data)
        if not all(isinstance(f.value, str) for p in document.persons for f in p.fields):
            raise TypeError
    except (KeyError, TypeError, ValueError, AttributeError, binascii.Error):
        raise DomainError("certificate.bad_content", "受け取った証明書の内容の形式が正しくありません。") from None
    return document
