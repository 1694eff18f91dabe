"""Writers of the メモ (spec 1.1.15): free text per person with author and time.  A change
or a deletion adds a version that replaces the previous one, so the history of every memo
stays; nothing is updated in place.  Memos are never printed on certificates.

Each function is one transaction with its operation-log row (the text itself is not
logged: it may hold personal details)."""

from __future__ import annotations

from django.db import transaction

from jumin.accounts.models import User
from jumin.audit.services import record_operation
from jumin.core.errors import DomainError
from jumin.registry.models import Memo, Resident

WRITE = "accounts.enter_movement"
MAX_LENGTH = 2000


def _check(by: User, atena_no: str) -> None:
    if not by.has_perm(WRITE):
        raise DomainError("auth.forbidden", "メモを書く権限がありません。")
    if not Resident.objects.filter(atena_no=atena_no).exists():
        raise DomainError("resident.not_found", "その宛名番号の住民はいません。")


def _current(atena_no: str, memo_id: int) -> Memo:
    memo = Memo.objects.select_for_update().filter(pk=memo_id, atena_no=atena_no).first()
    if memo is None or memo.deleted or Memo.objects.filter(replaces=memo).exists():
        raise DomainError("memo.not_current", "そのメモは変更または削除されています。画面を開き直してください。")
    return memo


def write_memo(atena_no: str, text: str, *, by: User, replaces: int | None = None) -> Memo:
    """Add a memo, or a new version of memo ``replaces``."""
    _check(by, atena_no)
    text = text.strip()
    if not text:
        raise DomainError("memo.required", "メモを入力してください。")
    if len(text) > MAX_LENGTH:
        raise DomainError("memo.too_long", f"メモは{MAX_LENGTH}字以内です。")
    with transaction.atomic():
        previous = _current(atena_no, replaces) if replaces is not None else None
        memo = Memo.objects.create(atena_no=atena_no, text=text, author=by, replaces=previous)
        record_operation(
            action="memo.change" if previous else "memo.add",
            target_type="resident",
            target_id=atena_no,
            before={"memo": previous.pk} if previous else None,
            after={"memo": memo.pk},
        )
    return memo


def delete_memo(atena_no: str, memo_id: int, *, by: User) -> Memo:
    """Delete a memo: a version marked deleted replaces it (the text stays in the history)."""
    _check(by, atena_no)
    with transaction.atomic():
        previous = _current(atena_no, memo_id)
        memo = Memo.objects.create(atena_no=atena_no, text=previous.text, author=by, replaces=previous, deleted=True)
        record_operation(
            action="memo.delete",
            target_type="resident",
            target_id=atena_no,
            before={"memo": previous.pk},
            after={"memo": memo.pk},
        )
    return memo
