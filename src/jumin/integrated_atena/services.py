"""Writers of the 団体内統合宛名 (docs/number-exchange.md): numbering (one 団体内統合宛名番号 per
person, from the 住基 record the 副本 is updated from), linking the 宛名番号 of a department's
business system, and the 権限管理 per user and per business system."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from jumin.accounts.models import LinkedSystem, User
from jumin.audit.services import record_operation
from jumin.core.address import full_address
from jumin.core.errors import DomainError
from jumin.integrated_atena.models import (
    FEED_ITEMS,
    Business,
    BusinessAtena,
    BusinessGrant,
    FeedCursor,
    IntegratedAtena,
)
from jumin.linkage.models import OutboxMessage
from jumin.registry.models import PersonRecord
from jumin.registry.numbers import reserve_serials

SERIAL = "integrated_atena"
ADMINISTER = "accounts.administer_users"


def _number(serial: int) -> str:
    return f"{serial:015d}"


def _four_items(row: PersonRecord) -> dict[str, str]:
    return {
        "name": row.name,
        "birth_text": row.birth_text,
        "sex": row.sex,
        "address": full_address(row.address, row.banchi, row.katagaki),
    }


def integrate_residents(rows: Sequence[PersonRecord], *, now: datetime | None = None) -> dict[str, str]:
    """The 団体内統合宛名番号 of each person of ``rows`` (住基 history rows), numbered on first
    sight, their 4情報 and 個人番号 lookup brought up to date; {宛名番号: 団体内統合宛名番号}.
    Runs in the caller's transaction (the 副本 update)."""
    now = now or timezone.now()
    latest = {row.atena_no: row for row in rows}
    links = {
        link.business_atena_no: link.integrated
        for link in BusinessAtena.objects.select_related("integrated").filter(
            business=Business.JUKI, business_atena_no__in=list(latest)
        )
    }
    new = [atena_no for atena_no in latest if atena_no not in links]
    serials = iter(reserve_serials(SERIAL, len(new))) if new else iter(())
    created = IntegratedAtena.objects.bulk_create(
        IntegratedAtena(
            integrated_no=_number(next(serials)),
            individual_number_lookup=latest[atena_no].individual_number_lookup,
            created_at=now,
            updated_at=now,
            **_four_items(latest[atena_no]),
        )
        for atena_no in new
    )
    if created and created[0].pk is None:  # backends without RETURNING on bulk insert
        by_no = {
            i.integrated_no: i
            for i in IntegratedAtena.objects.filter(integrated_no__in=[c.integrated_no for c in created])
        }
        created = [by_no[c.integrated_no] for c in created]
    BusinessAtena.objects.bulk_create(
        BusinessAtena(integrated=integrated, business=Business.JUKI, business_atena_no=atena_no, linked_at=now)
        for atena_no, integrated in zip(new, created, strict=True)
    )
    changed = []
    for atena_no, integrated in links.items():
        values = {
            **_four_items(latest[atena_no]),
            "individual_number_lookup": latest[atena_no].individual_number_lookup,
        }
        if any(getattr(integrated, k) != v for k, v in values.items()):
            for key, value in values.items():
                setattr(integrated, key, value)
            integrated.updated_at = now
            changed.append(integrated)
    if changed:
        IntegratedAtena.objects.bulk_update(changed, [*_four_items(rows[0]), "individual_number_lookup", "updated_at"])
    result = {atena_no: integrated.integrated_no for atena_no, integrated in links.items()}
    result.update({atena_no: integrated.integrated_no for atena_no, integrated in zip(new, created, strict=True)})
    return result


def _require(user: User, perm: str) -> None:
    if not user.has_perm(perm):
        raise DomainError("auth.forbidden", "この操作を行う権限がありません。")


def link_business(business: str, business_atena_no: str, resident_atena_no: str, *, by: User) -> BusinessAtena:
    """Link a department's 宛名番号 to the person's 団体内統合宛名番号 (found by the 住基 宛名番号):
    the department must hold a grant for that business system."""
    if business not in Business.values or business == Business.JUKI:
        raise DomainError("integrated_atena.unknown_business", "業務の指定が正しくありません。")
    if not BusinessGrant.objects.filter(user=by, business=business).exists():
        raise DomainError("auth.forbidden", "この業務の宛名を紐付ける権限がありません。")
    if not business_atena_no.isdigit() or len(business_atena_no) > 20:
        raise DomainError("integrated_atena.bad_atena_no", "業務の宛名番号は20桁までの数字で入力してください。")
    with transaction.atomic():
        juki = (
            BusinessAtena.objects.select_related("integrated")
            .filter(business=Business.JUKI, business_atena_no=resident_atena_no)
            .first()
        )
        if juki is None:
            raise DomainError("integrated_atena.not_numbered", "団体内統合宛名番号が付番されていない住民です。")
        existing = BusinessAtena.objects.filter(business=business, business_atena_no=business_atena_no).first()
        if existing is not None:
            if existing.integrated_id != juki.integrated_id:
                raise DomainError("integrated_atena.linked_elsewhere", "この業務の宛名番号は別の人に紐付いています。")
            return existing
        if BusinessAtena.objects.filter(integrated=juki.integrated, business=business).exists():
            raise DomainError("integrated_atena.already_linked", "この人にはこの業務の宛名番号が既に紐付いています。")
        link = BusinessAtena.objects.create(
            integrated=juki.integrated, business=business, business_atena_no=business_atena_no
        )
        record_operation(
            action="integrated_atena.linked",
            target_type="integrated_atena",
            target_id=juki.integrated.integrated_no,
            after={"business": business},
        )
    return link


def grant(
    business: str,
    *,
    affairs: Sequence[str] = (),
    may_read_feed: bool = False,
    feed_items: Sequence[str] = (),
    user: User | None = None,
    system: LinkedSystem | None = None,
    by: User,
) -> BusinessGrant:
    """権限管理: give one operator or one linked system its rights for one business system (the
    事務 it may ask under, whether it reads the 宛名連携 feed and which items of it)."""
    _require(by, ADMINISTER)
    if business not in Business.values:
        raise DomainError("integrated_atena.unknown_business", "業務の指定が正しくありません。")
    if (user is None) == (system is None):
        raise DomainError("integrated_atena.bad_grant", "利用者か連携システムのどちらか一方を指定してください。")
    if any(item not in FEED_ITEMS for item in feed_items):
        raise DomainError("integrated_atena.unknown_item", "宛名連携の項目の指定が正しくありません。")
    if any(not isinstance(a, str) or not 0 < len(a) <= 40 for a in affairs):
        raise DomainError("integrated_atena.bad_affair", "事務の指定が正しくありません。")
    items = [item for item in FEED_ITEMS if item in feed_items]  # the vocabulary's order, no repeats
    values = {"affairs": sorted(set(affairs)), "may_read_feed": may_read_feed, "feed_items": items}
    with transaction.atomic():
        row, _ = BusinessGrant.objects.update_or_create(user=user, system=system, business=business, defaults=values)
        record_operation(
            action="integrated_atena.granted",
            target_type="business_grant",
            target_id=str(row.pk),
            after={"business": business, **values},
        )
    return row


def revoke(grant_id: int, *, by: User) -> None:
    """権限管理: take one grant away (the holder keeps no right for that business system)."""
    _require(by, ADMINISTER)
    with transaction.atomic():
        row = BusinessGrant.objects.select_for_update().filter(pk=grant_id).first()
        if row is None:
            raise DomainError("integrated_atena.no_grant", "その権限は登録されていません。")
        before = {"business": row.business, "affairs": row.affairs, "may_read_feed": row.may_read_feed}
        row.delete()
        record_operation(
            action="integrated_atena.revoked", target_type="business_grant", target_id=str(grant_id), before=before
        )


def acknowledge_feed(system: LinkedSystem, business: str, seq: int) -> int:
    """The reader holds every change up to ``seq``: its cursor moves there (never back), and the
    ``atena`` outbox rows every reader has passed are marked sent; the rows marked."""
    with transaction.atomic():
        cursor, _ = FeedCursor.objects.select_for_update().get_or_create(system=system, business=business)
        if seq > cursor.seq:
            cursor.seq, cursor.updated_at = seq, timezone.now()
            cursor.save(update_fields=["seq", "updated_at"])
        readers = BusinessGrant.objects.filter(system__isnull=False, may_read_feed=True).values_list(
            "system_id", "business"
        )
        cursors = {(c.system_id, c.business): c.seq for c in FeedCursor.objects.all()}
        passed = min((cursors.get((s, b), 0) for s, b in readers), default=0)
        return OutboxMessage.objects.filter(
            destination=OutboxMessage.Destination.ATENA, state=OutboxMessage.State.PENDING, seq__lte=passed
        ).update(state=OutboxMessage.State.SENT)
