"""Signed checkpoints of the audit logs' chain heads, kept outside the database.

The hash chains show a changed or missing row in the middle of a log, but someone who can
write to the database can delete the newest rows and set the chain head back (or drop a log
together with its head): what remains is a valid, shorter chain.  A checkpoint file records,
for every log, the number of rows appended so far and the last hash; it is signed with an
Ed25519 key and chained to the previous checkpoint file (``previous`` = SHA-256 of that
file's body), so files cannot be removed from the middle or changed either.

``jumin audit checkpoint`` writes the next file (cron, see docs/operations.md);
``jumin audit verify`` checks the file chain and then that every log still reaches the head
of the latest checkpoint: the row with that hash is still there (and the chain from it to
the head is intact, checked by :mod:`jumin.audit.verify`), or it was deleted by a recorded
retention purge.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from jumin.audit.chain import GENESIS
from jumin.audit.models import LOG_MODELS, ChainHead

FORMAT = "jumin-audit-checkpoint/1"
FILE_NAME = re.compile(r"^checkpoint-(\d{8})\.json$")


class CheckpointError(Exception):
    """A checkpoint cannot be written or read (no key, unreadable file)."""


@dataclass(frozen=True)
class Head:
    rows: int
    hash: str


@dataclass(frozen=True)
class Checkpoint:
    number: int
    at: str
    previous: str
    heads: dict[str, Head]
    digest: str
    path: Path


def directory() -> Path:
    return Path(settings.JUMIN_AUDIT_CHECKPOINT_DIR)


def canonical(body: dict[str, Any]) -> bytes:
    return json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


def _read_pem(path: str, what: str) -> bytes:
    if not path:
        raise CheckpointError(f"{what}が設定されていません。")
    try:
        return Path(path).read_bytes()
    except OSError as exc:
        raise CheckpointError(f"{what}を読めません: {path}") from exc


def signing_key() -> Ed25519PrivateKey:
    data = _read_pem(settings.JUMIN_AUDIT_CHECKPOINT_KEY, "署名鍵（JUMIN_AUDIT_CHECKPOINT_KEY）")
    key = serialization.load_pem_private_key(data, password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise CheckpointError("署名鍵は Ed25519 の秘密鍵（PEM）にしてください。")
    return key


def public_key(path: str | None = None) -> Ed25519PublicKey:
    """The key that checks signatures: ``path``, else JUMIN_AUDIT_CHECKPOINT_PUBLIC_KEY,
    else the one derived from the signing key."""
    path = path or settings.JUMIN_AUDIT_CHECKPOINT_PUBLIC_KEY
    if not path:
        return signing_key().public_key()
    key = serialization.load_pem_public_key(_read_pem(path, "検証鍵（JUMIN_AUDIT_CHECKPOINT_PUBLIC_KEY）"))
    if not isinstance(key, Ed25519PublicKey):
        raise CheckpointError("検証鍵は Ed25519 の公開鍵（PEM）にしてください。")
    return key


def generate_key(private_path: Path, public_path: Path) -> None:
    """Write a new Ed25519 key pair (private key readable by its owner only)."""
    key = Ed25519PrivateKey.generate()
    private_pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    public_pem = key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    fd = os.open(private_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as out:
        out.write(private_pem)
    public_path.write_bytes(public_pem)


def _files(folder: Path) -> list[tuple[int, Path]]:
    if not folder.is_dir():
        return []
    found = [(int(m.group(1)), p) for p in folder.iterdir() if (m := FILE_NAME.match(p.name))]
    return sorted(found)


def load(path: Path) -> tuple[dict[str, Any], bytes, bytes]:
    """A file's body, the body's canonical bytes and its signature."""
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
        body = document["body"]
        signature = base64.b64decode(document["signature"], validate=True)
        return body, canonical(body), signature
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise CheckpointError(f"{path.name}: 読めません（{type(exc).__name__}）") from exc


def _parse(path: Path, body: dict[str, Any], raw: bytes) -> Checkpoint:
    try:
        heads = {log: Head(int(h["rows"]), str(h["hash"])) for log, h in body["heads"].items()}
        return Checkpoint(
            number=int(body["number"]),
            at=str(body["at"]),
            previous=str(body["previous"]),
            heads=heads,
            digest=hashlib.sha256(raw).hexdigest(),
            path=path,
        )
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise CheckpointError(f"{path.name}: 形式が違います") from exc


def current_heads() -> dict[str, Head]:
    """Every log's chain head now (an empty log: 0 rows, the genesis hash)."""
    with transaction.atomic():
        found = {h.log: Head(h.rows, h.last_hash) for h in ChainHead.objects.all()}
    return {m._meta.db_table: found.get(m._meta.db_table, Head(0, GENESIS)) for m in LOG_MODELS}


def write(folder: Path | None = None, *, now: datetime | None = None) -> Checkpoint:
    """Write the next checkpoint file (number = last + 1, chained to the last file)."""
    folder = folder or directory()
    key = signing_key()
    folder.mkdir(parents=True, exist_ok=True)
    files = _files(folder)
    if files:
        body, raw, _ = load(files[-1][1])
        last = _parse(files[-1][1], body, raw)
        number, previous = last.number + 1, last.digest
    else:
        number, previous = 1, GENESIS
    heads = current_heads()
    body = {
        "format": FORMAT,
        "number": number,
        "at": (now or timezone.now()).isoformat(),
        "previous": previous,
        "heads": {log: {"rows": h.rows, "hash": h.hash} for log, h in sorted(heads.items())},
    }
    raw = canonical(body)
    document = {"body": body, "signature": base64.b64encode(key.sign(raw)).decode()}
    path = folder / f"checkpoint-{number:08d}.json"
    # O_EXCL: two runs at once cannot both write the same number.
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        out.write(json.dumps(document, ensure_ascii=False, indent=1, sort_keys=True))
        out.write("\n")
    return _parse(path, body, raw)


@dataclass(frozen=True)
class FileCheck:
    latest: Checkpoint | None
    problems: list[str]


def check_files(folder: Path | None = None, key: Ed25519PublicKey | None = None) -> FileCheck:
    """Check every checkpoint file: signature, numbering, link to the previous file."""
    folder = folder or directory()
    files = _files(folder)
    if not files:
        return FileCheck(None, [])
    try:
        key = key or public_key()
    except CheckpointError as exc:
        return FileCheck(None, [str(exc)])
    problems: list[str] = []
    previous: Checkpoint | None = None
    for number, path in files:
        try:
            body, raw, signature = load(path)
            point = _parse(path, body, raw)
        except CheckpointError as exc:
            return FileCheck(previous, [*problems, str(exc)])
        try:
            key.verify(signature, raw)
        except InvalidSignature:
            return FileCheck(previous, [*problems, f"{path.name}: 署名が正しくありません（書き換えまたは別の鍵）"])
        if point.number != number:
            problems.append(f"{path.name}: ファイル名と番号 {point.number} が違います")
        if previous is None:
            if point.number != 1 and point.previous == GENESIS:
                problems.append(f"{path.name}: 最初のチェックポイントではないのに前のファイルを指していません")
        else:
            if point.number != previous.number + 1:
                problems.append(f"{path.name}: チェックポイント {previous.number + 1} がありません")
            if point.previous != previous.digest:
                problems.append(f"{path.name}: 前のチェックポイント {previous.number} とつながっていません")
        previous = point
    return FileCheck(previous, problems)
