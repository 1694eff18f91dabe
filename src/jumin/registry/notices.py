"""Notices printed from a movement (異動): what each one says, read under the caller's
capabilities and written to the access log.  The layout is in jumin.registry.notice_pdf.

* 確認用帳票 (4.0.9, 帳票 20.0.1): the movement's data per person, before → after, for the
  check before 本登録 (and printable afterwards).
* 住民異動届受理通知 (4.1.0.3): a 届出 movement once recorded, to the address the movers
  left (the new address for 出生・国外転入 and the like); it names the 届出, not the new
  address.
* 職権記録書 and 職権記載等通知書 (4.2.0.1): the record of a 職権 action (what, why, the legal
  basis, when, who entered it, with empty 決裁 boxes: the system does not record the 決裁者,
  4.0.8 X) and the notice to each person, for the 職権 actions the 施行令 asks to notify.
* 世帯主変更通知書 / 世帯主変更依頼通知書 (4.0.4, 4.0.5): a household whose head changed,
  or that has none left, with the list of its members.

None of them prints a 個人番号 or a 住民票コード: the cards are built for a principal that
cannot see them, and the printable items leave them out.  Provisional data (仮登録, also of a
discarded movement) is read only by callers who may review it.  A notice mailed to an address
the person left is refused while the person is under a 支援措置 (the old address may be where
the offender lives)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Any

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from jumin.accounts.models import Place
from jumin.accounts.principal import Principal
from jumin.audit.services import record_access, record_print
from jumin.conf.domain import era_table
from jumin.core.address import full_address
from jumin.core.errors import DomainError
from jumin.core.movement_kind import MovementKind
from jumin.core.reasons import REASONS, Category
from jumin.core.relationship import Member, parse_relationship
from jumin.registry import hooks
from jumin.registry.models import (
    PERSON_FIELDS,
    Initiation,
    Movement,
    MovementItem,
    NationalityKind,
    ResidenceCategory,
    ResidentHistory,
    Status,
)
from jumin.registry.ordering import in_household_order
from jumin.registry.queries import MASK, REVIEW, VIEW, PersonCard, person_card
from jumin.registry.snapshots import Snapshot, display_name, snapshot_of

ENTER = "accounts.enter_movement"
APPROVE = "accounts.approve_movement"
STAFF = (ENTER, APPROVE)
"""Who prints what the register sends to residents or keeps as its record: register staff."""
READERS = (VIEW, REVIEW, *STAFF)
"""Who may ask for a notice at all (the rest is decided per notice and movement)."""
NEVER_PRINTED = frozenset({"individual_number", "resident_code"})


class NoticeKind(StrEnum):
    """The notices of a movement; the values are the URL names of the PDFs."""

    CONFIRMATION = "confirmation"
    RECEIPT = "receipt"
    EX_OFFICIO_RECORD = "ex-officio-record"
    EX_OFFICIO_NOTICE = "ex-officio-notice"
    HEAD_CHANGE = "head-change"


TITLES = {
    NoticeKind.CONFIRMATION: "確認用帳票",
    NoticeKind.RECEIPT: "住民異動届受理通知",
    NoticeKind.EX_OFFICIO_RECORD: "職権記録書",
    NoticeKind.EX_OFFICIO_NOTICE: "職権記載等通知書",
    NoticeKind.HEAD_CHANGE: "世帯主変更通知書",
}
HEAD_CHANGED = "世帯主変更通知書"
HEAD_REQUESTED = "世帯主変更依頼通知書"

# The 届出 a movement records (住民基本台帳法22〜25条, 30条の46・47).
NOTIFICATION_NAMES: dict[str, str] = {
    MovementKind.MOVE_IN: "転入届",
    MovementKind.RELOCATION: "転居届",
    MovementKind.MOVE_OUT: "転出届",
    MovementKind.HOUSEHOLD_SPLIT: "世帯変更届（世帯分離）",
    MovementKind.HOUSEHOLD_MERGE: "世帯変更届（世帯合併）",
    MovementKind.HOUSEHOLD_CHANGE: "世帯変更届",
    MovementKind.HEAD_CHANGE: "世帯変更届（世帯主変更）",
    MovementKind.ARTICLE_30_46: "転入届（法第30条の46）",
    MovementKind.ARTICLE_30_47: "住所の届出（法第30条の47）",
}

# 職権記載等通知書 (施行令12条): due when the register was changed by 職権 because a 届出 that was
# due did not come (転入・転居・転出・世帯変更 not notified, 職権記載・職権消除 after a 実態調査), or
# to correct a 脱漏・誤載・誤記・記載漏れ (職権修正, 誤記修正, 異動の取消し).  Not for what the
# person reported to the 戸籍 side (出生, 死亡, 帰化 …), for 改製, for what the person asked
# for (申出), nor for the numbers (their own 通知票/通知カード).
_MISSING_NOTIFICATION = frozenset(
    {
        "domestic_move_in",
        "abroad_move_in",
        "relocation",
        "domestic_move_out",
        "abroad_move_out",
        "household_split",
        "household_merge",
        "household_change",
        "head_change",
        "ex_officio_add",
        "ex_officio_remove",
    }
)
_CORRECTIONS = frozenset(
    {"ex_officio_correction", "clerical_correction", "cancel_add", "cancel_remove", "cancel_amend"}
)
NOTIFIED_REASONS = _MISSING_NOTIFICATION | _CORRECTIONS
# Kinds recorded with one of those reasons that still need no notice: 失踪 follows the 失踪宣告
# (a 戸籍届出), a 改製 changes no item, a data migration (seed-city, 移行) has no persons of its own.
_UNNOTIFIED_KINDS = frozenset({MovementKind.DISAPPEARANCE, MovementKind.REBUILD, MovementKind.MIGRATION})

# 根拠法令 of a 職権 action, by 異動事由 (article level; the paragraphs of 施行令12条 are not
# quoted so that a renumbering of the 政令 does not make the record wrong).
_BASIS_MISSING = "住民基本台帳法第8条、同法施行令第12条（届出がない場合の職権による記載等）"
_BASIS_KOSEKI = "住民基本台帳法第8条・第9条第2項、同法施行令第12条（戸籍に関する届書等・通知による記載等）"
_BASIS_CORRECTION = "住民基本台帳法第8条、同法施行令第12条（脱漏・誤載・誤記・記載漏れによる記載等）"
_BASIS_FOREIGN = "住民基本台帳法第8条・第30条の50、同法施行令第12条（法務大臣からの通知等による記載等）"
_NUMBER_ACT = "行政手続における特定の個人を識別するための番号の利用等に関する法律"
LEGAL_BASIS: dict[str, str] = {
    **dict.fromkeys(_MISSING_NOTIFICATION, _BASIS_MISSING),
    **dict.fromkeys(_CORRECTIONS, _BASIS_CORRECTION),
    **dict.fromkeys(
        (
            "birth",
            "death",
            "naturalization_add",
            "naturalization_remove",
            "nationality_loss_add",
            "nationality_loss_remove",
            "former_surname_record",
            "former_surname_change",
            "former_surname_delete",
        ),
        _BASIS_KOSEKI,
    ),
    "minor_correction": _BASIS_CORRECTION,
    "alias_record": "住民基本台帳法第8条・第30条の45、同法施行令（通称の記載）",
    "alias_delete": "住民基本台帳法第8条・第30条の45、同法施行令（通称の削除）",
    "rebuild_add": "住民基本台帳法施行令（住民票の改製）",
    "rebuild_remove": "住民基本台帳法施行令（住民票の改製）",
    "remake_add": "住民基本台帳法施行令（住民票の再製）",
    "remake_remove": "住民基本台帳法施行令（住民票の再製）",
    "resident_code_ex_officio_record": "住民基本台帳法第30条の3（住民票コードの記載等）",
    "resident_code_change_request": "住民基本台帳法第30条の4（住民票コードの変更請求）",
    "individual_number_ex_officio_record": f"{_NUMBER_ACT}第7条",
    "individual_number_ex_officio_correction": f"{_NUMBER_ACT}第7条",
    "individual_number_change_request": f"{_NUMBER_ACT}第7条第2項",
}
_FOREIGN_REASONS = frozenset({"ex_officio_correction"})  # the 30条の50 通知 arrives as a 職権修正
_ACTION_WORDS = {Category.ADD: "職権記載", Category.REMOVE: "職権消除", Category.AMEND: "職権修正"}
_DONE_WORDS = {Category.ADD: "記載", Category.REMOVE: "消除", Category.AMEND: "修正"}
# What the household-common part of a record is: a member whose record changed only here was
# carried along by someone else's movement (世帯主氏名, 職権の世帯主 of 4.0.4).
_HOUSEHOLD_FIELDS = frozenset({"is_head", "relationship", "head_name", "family_of", "member_order"})
_OUTSIDE = "(outside the movement)"


# -- what the notices say ------------------------------------------------------------------------


@dataclass(frozen=True)
class MovementFacts:
    """The header every notice of one movement shares, formatted for print (和暦)."""

    movement_no: str
    kind: str
    kind_label: str
    reason: str
    reason_label: str
    initiation: str
    initiation_label: str
    state: str
    state_label: str
    effective: str
    notified_on: str
    requested_on: str
    processed_on: str
    entered_by: str
    entered_at: str
    place: str
    terminal: str
    notifier: str
    remark: str
    issued_on: str
    municipality: str
    office: str

    @property
    def provisional(self) -> bool:
        return self.state != Movement.State.FINAL


@dataclass(frozen=True)
class ItemLine:
    label: str
    before: str
    after: str
    changed: bool


@dataclass(frozen=True)
class PersonChanges:
    """One person of the movement: every printable item before and after."""

    atena_no: str
    name: str
    birth: str
    is_new: bool
    removed: bool
    lines: tuple[ItemLine, ...]

    @property
    def changed(self) -> tuple[ItemLine, ...]:
        return tuple(line for line in self.lines if line.changed)


@dataclass(frozen=True)
class Addressee:
    name: str
    postcode: str
    address: str


@dataclass(frozen=True)
class MemberLine:
    atena_no: str
    name: str
    birth: str
    relationship: str


@dataclass(frozen=True)
class ConfirmationBody:
    persons: tuple[PersonChanges, ...]


@dataclass(frozen=True)
class ReceiptBody:
    addressee: Addressee
    notification: str  # 届出の種類
    movers: tuple[MemberLine, ...]
    to_former_address: bool


@dataclass(frozen=True)
class ExOfficioRecordBody:
    action: str  # 職権記載 / 職権消除 / 職権修正
    grounds: str  # why
    basis: str  # 根拠法令
    persons: tuple[PersonChanges, ...]


@dataclass(frozen=True)
class ExOfficioNoticePage:
    addressee: Addressee
    person: PersonChanges
    action: str
    done: str  # 記載 / 消除 / 修正
    basis: str
    notification_missing: bool  # a 届出 was due: the notice reminds of the 14 days


@dataclass(frozen=True)
class HeadChangePage:
    household_no: str
    addressee: Addressee
    before_head: str
    after_head: str  # "" = 世帯主不在
    cause: str
    by_ex_officio: bool
    members: tuple[MemberLine, ...]

    @property
    def title(self) -> str:
        return HEAD_CHANGED if self.after_head else HEAD_REQUESTED


Body = (
    ConfirmationBody | ReceiptBody | ExOfficioRecordBody | tuple[ExOfficioNoticePage, ...] | tuple[HeadChangePage, ...]
)


@dataclass(frozen=True)
class Notice:
    kind: NoticeKind
    title: str
    facts: MovementFacts
    body: Body
    persons: tuple[str, ...]  # 宛名番号 of everyone printed (for the logs)


# -- permissions and which notices a movement has -------------------------------------------------


class _NumberBlind(Principal):
    """The caller, except that 個人番号 and 住民票コード are never opened: they are not printed."""

    def sees(self, field: str) -> bool:
        return field not in NEVER_PRINTED and super().sees(field)


def _forbidden() -> DomainError:
    return DomainError("auth.forbidden", "この帳票を印刷する権限がありません。")


def _permitted(principal: Principal, kind: NoticeKind, movement: Movement) -> bool:
    if movement.state != Movement.State.FINAL and not principal.has_perm(REVIEW):
        return False  # provisional data (仮登録, also a discarded one) only for who may review it
    if kind == NoticeKind.CONFIRMATION:
        return movement.state != Movement.State.FINAL or principal.has_perm(VIEW)
    return any(principal.has_perm(p) for p in STAFF)


@dataclass
class _Loaded:
    """A movement with its items in order and the history row each item was based on."""

    movement: Movement
    items: list[MovementItem]
    before: dict[int, Snapshot]  # item pk -> snapshot of the base row

    def before_of(self, item: MovementItem) -> Snapshot | None:
        return self.before.get(item.pk)


def _load(movement: Movement) -> _Loaded:
    items = sorted(movement.items.all(), key=lambda i: i.pk)
    based = [i for i in items if i.base_history_no is not None]
    rows: dict[tuple[str, int], Snapshot] = {}
    if based:
        wanted = Q()
        for item in based:
            wanted |= Q(atena_no=item.atena_no, history_no=item.base_history_no)
        rows = {(r.atena_no, r.history_no): snapshot_of(r) for r in ResidentHistory.objects.filter(wanted)}
    before = {
        i.pk: rows[(i.atena_no, i.base_history_no)]
        for i in based
        if i.base_history_no is not None and (i.atena_no, i.base_history_no) in rows
    }
    return _Loaded(movement, items, before)


def _kinds_of(loaded: _Loaded) -> list[NoticeKind]:
    movement = loaded.movement
    final = movement.state == Movement.State.FINAL
    kinds = [NoticeKind.CONFIRMATION]
    persons = bool(loaded.items)  # (a data migration records its rows without items)
    if final and persons and movement.initiation == Initiation.NOTIFICATION:
        kinds.append(NoticeKind.RECEIPT)
    if movement.initiation != Initiation.NOTIFICATION and movement.state != Movement.State.DISCARDED:
        kinds.append(NoticeKind.EX_OFFICIO_RECORD)
        if (
            final
            and persons
            and movement.initiation == Initiation.EX_OFFICIO
            and movement.reason in NOTIFIED_REASONS
            and movement.kind not in _UNNOTIFIED_KINDS
        ):
            kinds.append(NoticeKind.EX_OFFICIO_NOTICE)
    if final and _head_changes(loaded):
        kinds.append(NoticeKind.HEAD_CHANGE)
    return kinds


def offered(principal: Principal, movement: Movement) -> list[NoticeKind]:
    """The notices this movement has that the caller may print (for the movement screen's
    buttons).  Reads no personal data into the answer; not logged."""
    if not any(principal.has_perm(p) for p in READERS):
        return []
    return [k for k in _kinds_of(_load(movement)) if _permitted(principal, k, movement)]


def _kind(value: str) -> NoticeKind:
    try:
        return NoticeKind(value)
    except ValueError:
        raise DomainError("notice.not_applicable", "その帳票はありません。") from None


_NOT_APPLICABLE = {
    NoticeKind.CONFIRMATION: "この異動の確認用帳票はありません。",
    NoticeKind.RECEIPT: "住民異動届受理通知は、届出による異動の本登録後に印刷できます。",
    NoticeKind.EX_OFFICIO_RECORD: "職権記録書は、職権（申出による職権を含む）の異動にだけあります。",
    NoticeKind.EX_OFFICIO_NOTICE: (
        "職権記載等通知書は、届出がないため又は誤記等を正すために職権で記載等をした異動の、本登録後にだけあります。"
    ),
    NoticeKind.HEAD_CHANGE: "この異動では世帯主は変わっていません（世帯主変更通知書はありません）。",
}


def read_notice(principal: Principal, movement_no: str, kind: str) -> Notice:
    """What one notice of a movement prints; permission-checked and logged (action "print")."""
    if not any(principal.has_perm(p) for p in READERS):
        raise _forbidden()
    wanted = _kind(kind)
    movement = (
        Movement.objects.filter(movement_no=movement_no).select_related("entered_by").prefetch_related("items").first()
    )
    if movement is None:
        raise DomainError("movement.not_found", "その異動番号の異動はありません。")
    if not _permitted(principal, wanted, movement):
        raise _forbidden()
    loaded = _load(movement)
    if wanted not in _kinds_of(loaded):
        raise DomainError("notice.not_applicable", _NOT_APPLICABLE[wanted])
    blind = _NumberBlind(user=principal.user, system=principal.system)
    notice = _BUILDERS[wanted](blind, loaded)
    record_access(purpose=f"registry.notice.{wanted.value}", persons=list(notice.persons), action="print")
    return notice


def log_print(notice: Notice, pages: int) -> None:
    """印刷ログ (10.2) of one printed notice."""
    record_print(
        title=notice.title,
        mode="pdf",
        document=notice.facts.movement_no,
        persons=list(notice.persons),
        pages=pages,
    )


# -- building the notices --------------------------------------------------------------------------


def _wareki(value: date | None) -> str:
    return era_table().format(value) if value else ""


def _facts(movement: Movement) -> MovementFacts:
    municipality = settings.JUMIN_MUNICIPALITY
    place = Place.objects.filter(code=movement.place).first() if movement.place else None
    entered = timezone.localtime(movement.entered_at)
    reason = REASONS.get(movement.reason)
    return MovementFacts(
        movement_no=movement.movement_no,
        kind=movement.kind,
        kind_label=movement.kind_label,
        reason=movement.reason,
        reason_label=reason.label if reason else movement.reason,
        initiation=movement.initiation,
        initiation_label=movement.get_initiation_display(),
        state=movement.state,
        state_label=movement.get_state_display(),
        effective=movement.effective_text,
        notified_on=_wareki(movement.notified_on),
        requested_on=_wareki(movement.requested_on),
        processed_on=_wareki(movement.processed_on),
        entered_by=str(movement.entered_by),
        entered_at=f"{_wareki(entered.date())} {entered:%H:%M}",
        place=place.name if place else movement.place,
        terminal=movement.terminal,
        notifier=movement.notifier,
        remark=movement.remark,
        issued_on=_wareki(timezone.localdate()),
        municipality=f"{municipality['prefecture']}{municipality['name']}",
        office=place.name if place else "市民課",
    )


def postcode_text(value: str) -> str:
    """「〒362-0014」 (a 郵便番号 as stored, 7 digits, or as it was entered)."""
    if len(value) == 7 and value.isdigit():
        return f"〒{value[:3]}-{value[3:]}"
    return f"〒{value}" if value else ""


def _address_text(values: dict[str, Any]) -> str:
    """住所+番地, then the 方書 after a full-width space (a snapshot, or a card's values whose
    住所 already carries the 番地)."""
    return full_address(values.get("address") or "", values.get("banchi") or "", values.get("katagaki") or "")


def _printable(card: PersonCard, *, internal: bool) -> dict[str, str]:
    """The items a notice may print of one person, in 住民票 order, formatted; never the
    numbers of NEVER_PRINTED (nor the 電子証明書 serials)."""
    v = card.values
    foreign = v["nationality_kind"] == NationalityKind.FOREIGN
    category = v["residence_category"]
    if category and category != MASK:
        category = ResidenceCategory(category).label if category in ResidenceCategory.values else category
    items: dict[str, str] = {
        "氏名": v["name"],
        "氏名の振り仮名": v["furigana"],
        "氏名（アルファベット）": v["name_alphabet"] if v["name_alphabet"] != v["name"] else "",
        "旧氏": v["former_surname"],
        "通称": v["alias"],
        "生年月日": v["birth"],
        "性別": v["sex"],
        "世帯番号": v["household_no"] if internal else "",
        "世帯主": v["head_name"] or "（世帯主なし）",
        "続柄": v["relationship"],
        "住所": f"{postcode_text(v['postcode'])} {_address_text(v)}".strip(),
        "住民となった年月日": v["became_resident"],
        "住所を定めた年月日": v["address_set"],
        "届出日": v["notified_on"],
        "転入前住所": v["previous_address"],
        "異動前住所": v["moved_from_address"],
        "本籍・筆頭者": "" if foreign else v["honseki"],
        "国籍・地域": v["nationality"] if foreign else "",
        "外国人住民となった年月日": v["foreign_resident_since"] if foreign else "",
        "法第30条の45に規定する区分": category if foreign else "",
        "在留資格": v["residence_status"] if foreign else "",
        "在留期間": v["period_of_stay"] if foreign else "",
        "在留期間の満了の日": v["stay_expires_on"] if foreign else "",
        "在留カード等の番号": (v["residence_card_no"] or v["special_permanent_cert_no"]) if foreign else "",
        "状態": "除票" if v["status"] == Status.REMOVED else "現存",
        "消除事由": v["removal_reason"],
        "消除日": v["removed"],
        "転出予定日": v["planned_move_out_on"],
        "転出先": v["destination"],
        "備考": v["notes"] if internal else "",
    }
    return items


def _changes(blind: Principal, item: MovementItem, before: Snapshot | None, *, internal: bool) -> PersonChanges:
    after_card = person_card(blind, item.proposed)
    after = _printable(after_card, internal=internal)
    previous = _printable(person_card(blind, before), internal=internal) if before is not None else {}
    lines = []
    for label, value in after.items():
        old = previous.get(label, "")
        if not value and not old:
            continue
        lines.append(ItemLine(label, old, value, before is not None and old != value))
    return PersonChanges(
        atena_no=item.atena_no,
        name=after_card.values["name"],
        birth=after_card.values["birth"],
        is_new=before is None,
        removed=after_card.values["status"] == Status.REMOVED,
        lines=tuple(lines),
    )


def _movers(loaded: _Loaded) -> list[MovementItem]:
    """The persons a movement is about (異動者): not those whose record changed only because
    the household changed around them (世帯主氏名; the remaining member made head by 職権)."""
    if loaded.movement.kind == MovementKind.HEAD_CHANGE:
        return loaded.items

    def moved(item: MovementItem) -> bool:
        before = loaded.before_of(item)
        if before is None:
            return True
        return any(
            item.proposed.get(name) != before.get(name) for name in PERSON_FIELDS if name not in _HOUSEHOLD_FIELDS
        )

    return [i for i in loaded.items if moved(i)] or loaded.items


def _member_line(snapshot: Snapshot, card: PersonCard) -> MemberLine:
    return MemberLine(
        atena_no=str(snapshot.get("atena_no") or ""),
        name=card.values["name"],
        birth=card.values["birth"],
        relationship=str(snapshot.get("relationship") or ""),
    )


def _previous_text(snapshot: Snapshot) -> str:
    """転入前住所 with its 番地 and 方書 (the address a notice of a 転入 is sent to)."""
    return full_address(
        str(snapshot.get("previous_address") or ""),
        str(snapshot.get("previous_banchi") or ""),
        str(snapshot.get("previous_katagaki") or ""),
    )


def _addressee(name: str, snapshot: Snapshot) -> Addressee:
    return Addressee(name=name, postcode=str(snapshot.get("postcode") or ""), address=_address_text(snapshot))


def _refuse_if_protected(atena_nos: Iterable[str], kind: NoticeKind) -> None:
    """A notice to an address the person left is not made while a 支援措置 protects them."""
    protected = hooks.protected(atena_nos)
    if protected:
        record_access(purpose=f"registry.notice.{kind.value}", persons=protected, action="refused")
        raise DomainError(
            "notice.protected",
            "支援措置の対象者が含まれるため、以前の住所あての通知は作成できません。支援措置の担当者と協議してください。",
        )


def _confirmation(blind: Principal, loaded: _Loaded) -> Notice:
    persons = tuple(_changes(blind, i, loaded.before_of(i), internal=True) for i in loaded.items)
    return Notice(
        NoticeKind.CONFIRMATION,
        TITLES[NoticeKind.CONFIRMATION],
        _facts(loaded.movement),
        ConfirmationBody(persons),
        tuple(dict.fromkeys(i.atena_no for i in loaded.items)),
    )


def _receipt(blind: Principal, loaded: _Loaded) -> Notice:
    """Addressed to the first mover (the head, if moving) at the address they left; for a
    出生 or a 国外転入 (no address here before) at the new one."""
    movement = loaded.movement
    movers = _movers(loaded)
    primary = next((i for i in movers if i.proposed.get("is_head")), movers[0])
    before = loaded.before_of(primary)
    after = primary.proposed
    card = person_card(blind, after)
    if before is not None and before.get("status") == Status.CURRENT:
        addressee = _addressee(card.values["name"], before)
    elif (
        movement.reason == "domestic_move_in"
        and after.get("previous_address")
        and after.get("previous_address") != "不明"
    ):
        addressee = Addressee(card.values["name"], str(after.get("previous_postcode") or ""), _previous_text(after))
    else:
        addressee = _addressee(card.values["name"], after)
    left = addressee.address != _address_text(after) or after.get("status") == Status.REMOVED
    if left:
        _refuse_if_protected((i.atena_no for i in movers), NoticeKind.RECEIPT)
    lines = tuple(_member_line(i.proposed, person_card(blind, i.proposed)) for i in movers)
    body = ReceiptBody(
        addressee=addressee,
        notification=NOTIFICATION_NAMES.get(movement.kind, f"{movement.kind_label}の届出"),
        movers=lines,
        to_former_address=left,
    )
    return Notice(
        NoticeKind.RECEIPT,
        TITLES[NoticeKind.RECEIPT],
        _facts(movement),
        body,
        tuple(dict.fromkeys(i.atena_no for i in movers)),
    )


def _category(movement: Movement) -> Category:
    reason = REASONS.get(movement.reason)
    return reason.category if reason else Category.AMEND


def _basis(movement: Movement, loaded: _Loaded) -> str:
    foreign = any(i.proposed.get("nationality_kind") == NationalityKind.FOREIGN for i in loaded.items)
    if movement.reason in _FOREIGN_REASONS and foreign:
        return _BASIS_FOREIGN
    return LEGAL_BASIS.get(movement.reason, "住民基本台帳法第8条、同法施行令第12条")


def _grounds(movement: Movement) -> str:
    """Why the action was taken by 職権: what the planner recorded, the 留意事項, the 申出."""
    record = movement.ex_officio_record or {}
    parts: list[str] = []
    if movement.initiation == Initiation.REQUEST:
        asked = _wareki(movement.requested_on)
        parts.append(f"{asked}の申出による" if asked else "申出による")
    if record.get("basis"):
        parts.append(f"{record['basis']}による")
    if record.get("reason"):
        parts.append(str(record["reason"]))
    corrects = record.get("corrects") or {}
    if corrects:
        parts.append("誤記の訂正（対象の履歴番号 " + "、".join(str(n) for n in corrects.values()) + "）")
    cancelled = movement.cancels
    if cancelled is not None:
        parts.append(f"異動番号 {cancelled.movement_no} の取消し")
    if movement.reason in _MISSING_NOTIFICATION and movement.initiation == Initiation.EX_OFFICIO:
        parts.append("届出がないため事実を確認して職権で処理")
    if movement.remark:
        parts.append(movement.remark)
    return "。".join(p.rstrip("。") for p in parts) if parts else "（記録なし）"


def _ex_officio_record(blind: Principal, loaded: _Loaded) -> Notice:
    movement = loaded.movement
    persons = tuple(_changes(blind, i, loaded.before_of(i), internal=True) for i in loaded.items)
    body = ExOfficioRecordBody(
        action=_ACTION_WORDS[_category(movement)],
        grounds=_grounds(movement),
        basis=_basis(movement, loaded),
        persons=persons,
    )
    return Notice(
        NoticeKind.EX_OFFICIO_RECORD,
        TITLES[NoticeKind.EX_OFFICIO_RECORD],
        _facts(movement),
        body,
        tuple(dict.fromkeys(i.atena_no for i in loaded.items)),
    )


def _ex_officio_notice(blind: Principal, loaded: _Loaded) -> Notice:
    """One page per person, to their address after the movement — or, for a 消除, to the
    address the record last had."""
    movement = loaded.movement
    category = _category(movement)
    movers = _movers(loaded)
    pages = []
    left: list[str] = []
    for item in movers:
        before = loaded.before_of(item)
        changes = _changes(blind, item, before, internal=False)
        target = before if before is not None and changes.removed else item.proposed
        if target is not item.proposed:
            left.append(item.atena_no)
        pages.append(
            ExOfficioNoticePage(
                addressee=_addressee(changes.name, target),
                person=changes,
                action=_ACTION_WORDS[category],
                done=_DONE_WORDS[category],
                basis=_basis(movement, loaded),
                notification_missing=movement.reason in _MISSING_NOTIFICATION,
            )
        )
    if left:
        _refuse_if_protected(left, NoticeKind.EX_OFFICIO_NOTICE)
    return Notice(
        NoticeKind.EX_OFFICIO_NOTICE,
        TITLES[NoticeKind.EX_OFFICIO_NOTICE],
        _facts(movement),
        tuple(pages),
        tuple(dict.fromkeys(i.atena_no for i in movers)),
    )


# -- 世帯主変更 (4.0.4, 4.0.5) ----------------------------------------------------------------------


@dataclass
class _HeadChange:
    household_no: str
    before_head: tuple[str, str]  # (宛名番号 or _OUTSIDE or "", name)
    after_head: tuple[str, str]
    leaving_head: MovementItem | None
    members: list[Snapshot]  # after the movement


def _head_of(snapshots: Iterable[Snapshot]) -> tuple[str, str]:
    """Who heads the household in these records: a head among them, else the 世帯主氏名 they
    carry (a head outside the movement), else nobody (世帯主不在)."""
    snapshots = list(snapshots)
    head = next((s for s in snapshots if s.get("is_head")), None)
    if head is not None:
        return str(head.get("atena_no") or ""), display_name(head)
    name = next((str(s.get("head_name")) for s in snapshots if s.get("head_name")), "")
    return (_OUTSIDE, name) if name else ("", "")


def _head_changes(loaded: _Loaded) -> list[_HeadChange]:
    """The households, present before and after the movement, whose head is another person
    (or nobody) afterwards.  Every head-changing movement carries all the remaining members of
    the household (4.0.4, 4.1.4.2), so its own records tell the state before and after."""
    before: dict[str, list[tuple[MovementItem, Snapshot]]] = {}
    after: dict[str, list[Snapshot]] = {}
    for item in loaded.items:
        old = loaded.before_of(item)
        if old is not None and old.get("status") == Status.CURRENT:
            before.setdefault(str(old.get("household_no") or ""), []).append((item, old))
        if item.proposed.get("status") == Status.CURRENT:
            after.setdefault(str(item.proposed.get("household_no") or ""), []).append(item.proposed)
    changes = []
    for household_no, members in after.items():
        if household_no not in before:
            continue  # a new household: its first head is no change
        head_before = _head_of(s for _, s in before[household_no])
        head_after = _head_of(members)
        if head_before[0] == head_after[0]:
            continue
        leaving = next((i for i, s in before[household_no] if s.get("is_head")), None)
        changes.append(_HeadChange(household_no, head_before, head_after, leaving, members))
    return changes


def _ordered(members: list[Snapshot]) -> list[Snapshot]:
    """The members in the order of 5.2 (by 宛名番号 if a 続柄 cannot be read)."""
    by_atena = {str(m.get("atena_no")): m for m in members}
    try:
        order = in_household_order(
            str(members[0].get("household_no") or "") if members else "",
            (
                Member(
                    str(m.get("atena_no")),
                    parse_relationship(str(m.get("relationship") or "")),
                    date.fromisoformat(m["birth_sort"]) if m.get("birth_sort") else None,
                    is_koseki_head=bool(m.get("koseki_head")) and m.get("koseki_head") == display_name(m),
                    family_of=str(m.get("family_of") or "") or None,
                )
                for m in members
            ),
        )
    except DomainError:
        return sorted(members, key=lambda m: str(m.get("atena_no")))
    return [by_atena[m.atena_no] for m in order]


def _cause(loaded: _Loaded, change: _HeadChange) -> str:
    movement = loaded.movement
    if movement.kind == MovementKind.HEAD_CHANGE:
        return "世帯主変更" + ("届" if movement.initiation == Initiation.NOTIFICATION else "（職権）")
    leaving = change.leaving_head
    if leaving is None:
        return movement.reason_label
    name = display_name(leaving.proposed)
    if leaving.proposed.get("status") == Status.REMOVED:
        return f"世帯主であった{name}さんの{leaving.proposed.get('removal_reason') or movement.reason_label}"
    return f"世帯主であった{name}さんの{movement.reason_label}"


def _head_change(blind: Principal, loaded: _Loaded) -> Notice:
    movement = loaded.movement
    pages = []
    persons: list[str] = []
    for change in _head_changes(loaded):
        ordered = _ordered(change.members)
        lines = tuple(_member_line(m, person_card(blind, m)) for m in ordered)
        head = next((m for m in ordered if m.get("is_head")), ordered[0])
        by_ex_officio = movement.kind != MovementKind.HEAD_CHANGE or movement.initiation != Initiation.NOTIFICATION
        pages.append(
            HeadChangePage(
                household_no=change.household_no,
                addressee=_addressee(display_name(head), head),
                before_head=change.before_head[1],
                after_head=change.after_head[1],
                cause=_cause(loaded, change),
                by_ex_officio=by_ex_officio,
                members=lines,
            )
        )
        persons += [m.atena_no for m in lines]
    title = HEAD_CHANGED if all(p.after_head for p in pages) else HEAD_REQUESTED
    return Notice(NoticeKind.HEAD_CHANGE, title, _facts(movement), tuple(pages), tuple(dict.fromkeys(persons)))


_BUILDERS = {
    NoticeKind.CONFIRMATION: _confirmation,
    NoticeKind.RECEIPT: _receipt,
    NoticeKind.EX_OFFICIO_RECORD: _ex_officio_record,
    NoticeKind.EX_OFFICIO_NOTICE: _ex_officio_notice,
    NoticeKind.HEAD_CHANGE: _head_change,
}
