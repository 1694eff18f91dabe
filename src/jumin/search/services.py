"""Writers of the search app: staff entries of the variant table, edits of a saved search."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from jumin.accounts.principal import Principal
from jumin.audit.services import record_operation
from jumin.core.errors import DomainError
from jumin.search import criteria as rules
from jumin.search import variants
from jumin.search.matching import MODES
from jumin.search.models import SearchHistory, VariantKanji

MAINTAIN_VARIANTS = "accounts.approve_movement"


def add_variant(principal: Principal, char: str, variant: str, note: str = "") -> VariantKanji:
    """A staff entry of the 異体字 table (both directions), logged in the operation log."""
    if principal.user is None or not principal.has_perm(MAINTAIN_VARIANTS):
        raise DomainError("auth.forbidden", "異体字を登録する権限がありません。")
    char, variant = char.strip(), variant.strip()
    if len(char) != 1 or len(variant) != 1 or char == variant:
        raise DomainError("search.variant_invalid", "文字と異体字は、異なる1文字ずつ入力してください。")
    existing = VariantKanji.objects.filter(char=char, variant=variant).first()
    if existing is not None and existing.source == VariantKanji.Source.STAFF:
        raise DomainError("search.variant_exists", "その組み合わせは登録済みです。")
    # a staff confirmation of a public (ja-itaiji) pair turns it into a staff pair: staff pairs are
    # closed transitively (jumin.core.variants), public pairs count one step only
    staff = {
        "source": VariantKanji.Source.STAFF,
        "note": note[:200],
        "added_by": principal.user,
        "added_at": timezone.now(),
    }
    with transaction.atomic():
        entry, _ = VariantKanji.objects.update_or_create(char=char, variant=variant, defaults=staff)
        VariantKanji.objects.update_or_create(char=variant, variant=char, defaults=staff)
        record_operation(
            action="search.variant_add",
            target_type="variant_kanji",
            target_id=str(entry.pk),
            after={"char": char, "variant": variant, "note": note[:200], "confirmed_public": existing is not None},
        )
    variants.invalidate()
    return entry


def edit_history(principal: Principal, history_id: int, *, label: str, raw: dict[str, Any], mode: str) -> SearchHistory:
    """Edit a saved search of one's own (name, criteria); it is run again from the screen."""
    entry = SearchHistory.objects.filter(pk=history_id, user=principal.user).first() if principal.user else None
    if entry is None:
        raise DomainError("search.history_not_found", "その検索履歴はありません。")
    entry.label = label.strip()[:60]
    entry.criteria = {**rules.masked(rules.clean(raw)), "_mode": mode if mode in MODES else "prefix"}
    entry.edited_at = timezone.now()
    entry.save(update_fields=["label", "criteria", "edited_at"])
    return entry
