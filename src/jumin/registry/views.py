"""Register screens: look-up, person and household views with history, 統合記載欄 and メモ,
one entry screen per movement kind, the confirmation sheet, the approval queue.  Thin: parse,
call one service or query, render.

The entry screens are data: ``SCREENS`` maps each movement kind to an :class:`EntryScreen`
(its form, where it is offered and by which key, how the household's members are listed).
A new kind is one form in forms.py and one ``register_screen`` call."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import permission_required, user_passes_test
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from jumin.accounts.models import User
from jumin.accounts.principal import principal_for
from jumin.audit.services import record_print
from jumin.core.errors import DomainError
from jumin.core.relationship import ATOMS, HEAD, LODGER, RELATIVE_BY_CONNECTION
from jumin.free_text import refuse_in_texts
from jumin.registry import hooks, inspection, queries
from jumin.registry.forms import (
    AddressFields,
    AliasForm,
    ArticleDeclarationForm,
    ArticleMoveInForm,
    ArticlePersonFormSet,
    BirthForm,
    CorrectionForm,
    DisappearanceForm,
    EntryForm,
    ExOfficioRemovalForm,
    FormerSurnameForm,
    HouseholdChangeForm,
    HouseholdMergeForm,
    IndividualNumberForm,
    MemoForm,
    MoveInForm,
    MoveInPersonFormSet,
    MovementBasics,
    MoveOutForm,
    NationalityAcquisitionForm,
    NationalityLossForm,
    NaturalizationForm,
    PersonForm,
    ProgramItemsForm,
    RebuildForm,
    RelocationForm,
    ResidentCodeForm,
)
from jumin.registry.memos import delete_memo, write_memo
from jumin.registry.models import KIND_LABELS, Movement, NationalityKind
from jumin.registry.planning import PLANNERS
from jumin.registry.services import (
    AlertsNeedConfirmationError,
    MovementRejectedError,
    approve_movement,
    discard_movement,
    enter_movement,
    set_member_order,
)

RELATIONSHIP_SUGGESTIONS = [
    HEAD,
    *ATOMS,
    "子の子",
    "子の妻",
    "子の夫",
    "妻の父",
    "妻の母",
    RELATIVE_BY_CONNECTION,
    LODGER,
]


def _operator(request: HttpRequest) -> User:
    return cast(User, request.user)


def _not_found(error: DomainError) -> Http404:
    return Http404(error.message)


VIEW = "accounts.view_resident"
ENTER = "accounts.enter_movement"
APPROVE = "accounts.approve_movement"
REVIEW = "accounts.view_provisional"


def _any_permission(*perms: str) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """403 unless the operator holds one of ``perms`` (checked before anything is looked up)."""

    def check(user: Any) -> bool:
        if any(user.has_perm(p) for p in perms):
            return True
        raise PermissionDenied

    return cast(Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]], user_passes_test(check))


@require_GET
@permission_required(VIEW, raise_exception=True)
def lookup(request: HttpRequest) -> HttpResponse:
    number = request.GET.get("number", "").strip()
    kind = "household" if request.GET.get("kind") == "household" else "person"
    if number:
        try:
            value = queries.lookup(principal_for(request), number, kind)
        except DomainError as error:
            if error.code == "auth.forbidden":
                raise
            archived = _archived_page(request, number) if kind == "person" else None
            if archived is not None:
                return archived
            messages.error(request, error.message)
        else:
            return redirect(f"registry:{kind}", value)
    context = {"number": number, "kind": kind, "screens": screens_for(LOOKUP, user=request.user)}
    return render(request, "registry/lookup.html", context)


def _archived_page(request: HttpRequest, atena_no: str) -> HttpResponse | None:
    """A person of the 除票DB (1.1.5: one search covers both), read-only; None if not there."""
    hooks.require_inquiry(principal_for(request), atena_no, purpose="registry.person.archived")
    try:
        found = queries.find_person(principal_for(request), atena_no, purpose="registry.person.archived")
    except DomainError as error:
        if error.code == "resident.not_found":
            return None
        raise
    if not found.archived:  # (the main tables were asked first; a race with the archive batch)
        return redirect("registry:person", found.card.atena_no)
    context = {"found": found, "card": found.card, **_marks(request, [found.card.atena_no])}
    return render(request, "registry/archived_person.html", context)


def _marks(request: HttpRequest, atena_nos: list[str], households: dict[str, str] | None = None) -> dict[str, Any]:
    """支援措置・抑止 marks (2.2.4) of the persons shown, and whether the operator may jump to
    the 支援措置 database from them (``households``: their 世帯番号, when just read)."""
    principal = principal_for(request)
    return {
        "marks": hooks.marks_of(principal, atena_nos, purpose="registry.marks", households=households),
        "opens_protection": hooks.opens_marks(principal),
    }


@require_GET
@permission_required(VIEW, raise_exception=True)
def person(request: HttpRequest, atena_no: str) -> HttpResponse:
    hooks.require_inquiry(principal_for(request), atena_no, purpose="registry.person")
    try:
        detail, notes = queries.person_page(principal_for(request), atena_no)
    except DomainError as error:
        if error.code == "resident.not_found":
            archived = _archived_page(request, atena_no)
            if archived is not None:
                return archived
            raise _not_found(error) from error
        raise
    current = detail.card.values["status"] == "current"
    context = {
        "detail": detail,
        "card": detail.card,
        "notes": notes,
        "memo_form": MemoForm(),
        "screens": screens_for(PERSON, detail.card.values["nationality_kind"], user=request.user) if current else [],
        **_marks(request, [detail.card.atena_no], {detail.card.atena_no: str(detail.card.values["household_no"])}),
    }
    return render(request, "registry/person.html", context)


@require_GET
@permission_required(VIEW, raise_exception=True)
def household(request: HttpRequest, household_no: str) -> HttpResponse:
    include_removed = request.GET.get("removed") == "1"
    hooks.require_household_inquiry(principal_for(request), household_no)
    try:
        detail = queries.household_detail(principal_for(request), household_no, include_removed=include_removed)
    except DomainError as error:
        if error.code == "household.not_found":
            raise _not_found(error) from error
        raise
    cards = (*detail.members, *detail.leaving, *detail.removed)
    context = {
        "detail": detail,
        "include_removed": include_removed,
        "screens": screens_for(HOUSEHOLD, user=request.user),
        **_marks(request, [c.atena_no for c in cards], {c.atena_no: str(c.values["household_no"]) for c in cards}),
        # a member's own 照会抑止 hides that member's row (only the 宛名番号 and the mark stay)
        "inquiry_hidden": hooks.hidden_from_inquiry(
            principal_for(request),
            [c.atena_no for c in cards],
            {c.atena_no: str(c.values["household_no"]) for c in cards},
            purpose="registry.household",
        ),
    }
    return render(request, "registry/household.html", context)


# -- entry -----------------------------------------------------------------------------------

HOUSEHOLD, PERSON, LOOKUP = "household", "person", "lookup"
# How an entry screen lists the members of the household it was opened from.
SELECT = "select"  # choose the persons of the movement
SELECT_RELATIONSHIP = "select_relationship"  # choose them and give each a new 続柄
ALL_RELATIONSHIP = "all_relationship"  # every member gets a new 続柄 (empty inputs)
ALL_RELATIONSHIP_KEPT = "all_relationship_kept"  # every member, inputs start with the current 続柄
_RELATIONSHIP_MODES = (SELECT_RELATIONSHIP, ALL_RELATIONSHIP, ALL_RELATIONSHIP_KEPT)


@dataclass(frozen=True)
class Part:
    """An extra fieldset of an entry screen: a form (or formset) with its prefix."""

    name: str
    form: Callable[..., Any]
    prefix: str
    legend: str
    repeated: bool = False  # a formset: one fieldset per form, numbered


@dataclass(frozen=True)
class EntryScreen:
    """One entry screen per movement kind.  A new kind needs a planner (planning*.py), an
    :class:`~jumin.registry.forms.EntryForm` whose ``planner_data`` gives the planner's dict,
    and one ``register_screen`` call; the views, the template and the links on the household
    / person views follow from here.  A screen whose kind has no planner is not offered."""

    kind: str
    form: type[EntryForm]
    scope: str = HOUSEHOLD  # where it is offered: the household view, the person view, the look-up
    shortcut: str = ""  # its key there
    members: str = ""  # how the household's members are listed (SELECT …); "" = not listed
    members_legend: str = "異動者"
    parts: tuple[Part, ...] = ()
    household_key: str = ""  # the planner's key for the household the screen was opened from
    only: str = ""  # person scope: offered only to this NationalityKind ("japanese"/"foreign")
    label: str = ""  # default: the kind's label in planning.KIND_LABELS
    requires: str = ""  # a capability needed besides entering movements (e.g. 個人番号事務)
    hint: str = ""  # one line of help under the heading

    @property
    def title(self) -> str:
        return self.label or KIND_LABELS.get(self.kind, self.kind)

    @property
    def available(self) -> bool:
        return self.kind in PLANNERS

    def offered_to(self, nationality_kind: str) -> bool:
        return self.available and (not self.only or self.only == nationality_kind)

    def permitted(self, user: Any) -> bool:
        return not self.requires or bool(user is not None and user.has_perm(self.requires))


SCREENS: dict[str, EntryScreen] = {}


def register_screen(screen: EntryScreen) -> None:
    SCREENS[screen.kind] = screen


_ADDRESS = Part("address", AddressFields, "addr", "住所")
for _screen in (
    EntryScreen(
        "move_in",
        MoveInForm,
        scope=LOOKUP,
        shortcut="F4",
        parts=(
            _ADDRESS,
            Part("previous", AddressFields, "prev", "転入前住所"),
            Part("persons", MoveInPersonFormSet, "p", "転入者", repeated=True),
        ),
    ),
    *(
        EntryScreen(
            kind,
            form,
            scope=LOOKUP,
            shortcut=key,
            parts=(
                _ADDRESS,
                Part("previous", AddressFields, "prev", "転入前住所（国外の住所など・任意）"),
                Part("persons", ArticlePersonFormSet, "p", "届出者（外国人住民）", repeated=True),
            ),
        )
        for kind, form, key in (
            ("article_30_46", ArticleMoveInForm, "Alt+1"),
            ("article_30_47", ArticleDeclarationForm, "Alt+2"),
        )
    ),
    EntryScreen("relocation", RelocationForm, shortcut="Alt+1", members=SELECT_RELATIONSHIP, parts=(_ADDRESS,)),
    EntryScreen(
        "move_out",
        MoveOutForm,
        shortcut="Alt+2",
        members=SELECT,
        parts=(Part("address", AddressFields, "addr", "転出先"),),
    ),
    EntryScreen("household_split", MovementBasics, shortcut="Alt+3", members=SELECT_RELATIONSHIP),
    EntryScreen(
        "birth",
        BirthForm,
        shortcut="Alt+4",
        household_key="household_no",
        parts=(Part("child", PersonForm, "child", "出生子"),),
    ),
    EntryScreen("death", MovementBasics, shortcut="Alt+5", members=SELECT),
    EntryScreen(
        "ex_officio_removal",
        ExOfficioRemovalForm,
        shortcut="Alt+9",
        members=SELECT,
        members_legend="消除する方",
        parts=(Part("address", AddressFields, "addr", "転出先（分かる場合のみ）"),),
    ),
    EntryScreen(
        "household_merge",
        HouseholdMergeForm,
        shortcut="Alt+6",
        members=ALL_RELATIONSHIP,
        members_legend="合併する世帯の世帯員（合併先での続柄を入力）",
        household_key="household_no",
    ),
    EntryScreen(
        "household_change",
        HouseholdChangeForm,
        shortcut="Alt+7",
        members=SELECT_RELATIONSHIP,
        members_legend="移る方（移る先の世帯での続柄を入力）",
    ),
    EntryScreen(
        "head_change",
        MovementBasics,
        shortcut="Alt+8",
        members=ALL_RELATIONSHIP_KEPT,
        members_legend="世帯員（新しい世帯主を「世帯主」とし、全員の続柄を見直す）",
        household_key="household_no",
    ),
    EntryScreen("correction", CorrectionForm, scope=PERSON, shortcut="Alt+1"),
    EntryScreen("disappearance", DisappearanceForm, scope=PERSON, shortcut="Alt+2"),
    EntryScreen("former_surname", FormerSurnameForm, scope=PERSON, shortcut="Alt+3", only=NationalityKind.JAPANESE),
    EntryScreen("alias", AliasForm, scope=PERSON, shortcut="Alt+4", only=NationalityKind.FOREIGN),
    EntryScreen(
        "naturalization",
        NaturalizationForm,
        scope=PERSON,
        shortcut="Alt+5",
        only=NationalityKind.FOREIGN,
        hint="日本人住民票を職権で記載し、外国人住民票を消除します（宛名番号・個人番号・住所などは引き継ぎます）。",
    ),
    EntryScreen(
        "nationality_acquisition",
        NationalityAcquisitionForm,
        scope=PERSON,
        shortcut="Alt+6",
        only=NationalityKind.FOREIGN,
        hint="日本人住民票を職権で記載し、外国人住民票を消除します（宛名番号・個人番号・住所などは引き継ぎます）。",
    ),
    EntryScreen(
        "nationality_loss",
        NationalityLossForm,
        scope=PERSON,
        shortcut="Alt+7",
        only=NationalityKind.JAPANESE,
        hint="外国人住民票を職権で記載し、日本人住民票を消除します。在留資格がなければ「国籍喪失による経過滞在者」です。",
    ),
    EntryScreen(
        "resident_code",
        ResidentCodeForm,
        scope=PERSON,
        shortcut="Alt+8",
        requires="accounts.assign_resident_code",
        hint="新しい住民票コードは本登録のときに空きコードから無作為に払い出します。",
    ),
    EntryScreen(
        "individual_number",
        IndividualNumberForm,
        scope=PERSON,
        shortcut="Alt+9",
        requires="accounts.see_individual_number",
        hint="個人番号は仮登録のときに機構（J-LIS）へ生成・変更を要求し、確認用帳票に表示します。",
    ),
    EntryScreen(
        "program_items",
        ProgramItemsForm,
        scope=PERSON,
        shortcut="Alt+V",
        hint="国保・年金・介護・後期高齢・児童手当・選挙の担当課からの通知により、職権で記載・修正します。",
    ),
    EntryScreen(
        "rebuild",
        RebuildForm,
        scope=PERSON,
        shortcut="Alt+0",
        hint="今の住民票は除票（改製原住民票）となり、同じ宛名番号で新しい住民票を記載します。",
    ),
):
    register_screen(_screen)


def screens_for(scope: str, nationality_kind: str = "", *, user: Any = None) -> list[EntryScreen]:
    """The entry screens offered on a view to ``user``, in the order of their keys."""
    return [
        s
        for s in SCREENS.values()
        if s.scope == scope
        and (s.offered_to(nationality_kind) if scope == PERSON else s.available)
        and s.permitted(user)
    ]


@dataclass
class MemberRow:
    atena_no: str
    name: str
    relationship: str
    selected: bool
    new_relationship: str


def _member_rows(screen: EntryScreen, members: list[Any], request: HttpRequest) -> list[MemberRow]:
    posted = request.method == "POST"
    selected = set(request.POST.getlist("atena_nos") if posted else request.GET.getlist("atena_nos"))
    rows = []
    for m in members:
        kept = m.relationship if screen.members == ALL_RELATIONSHIP_KEPT else ""
        new = request.POST.get(f"rel_{m.atena_no}", "") if posted else kept
        rows.append(MemberRow(m.atena_no, m.name, m.relationship, m.atena_no in selected, new))
    return rows


def _planner_data(
    screen: EntryScreen,
    form: EntryForm,
    parts: dict[str, Any],
    *,
    rows: list[MemberRow],
    household_no: str,
    person: Any,
) -> dict[str, Any]:
    """What was entered, in the shape the planners take (the same as the API's)."""
    data = form.planner_data(parts)
    if screen.members in (SELECT, SELECT_RELATIONSHIP):
        data["atena_nos"] = [r.atena_no for r in rows if r.selected]
    if screen.members in _RELATIONSHIP_MODES:
        chosen = [r for r in rows if r.selected or screen.members != SELECT_RELATIONSHIP]
        data["relationships"] = {r.atena_no: r.new_relationship.strip() for r in chosen if r.new_relationship.strip()}
    if screen.household_key and household_no and not data.get(screen.household_key):
        data[screen.household_key] = household_no
    if person is not None:
        data["atena_no"] = person.atena_no
    remark = str(form.cleaned_data.get("remark") or "").strip()
    if remark:  # 留意事項 (1.1.14 B類型), on every screen
        data["remark"] = remark
    return data


# -- 再転入 (4.1.1.2): the planner found the person's 除票 ------------------------------------------

REENTRY = "reentry"  # the button that enters the movement again as 再転入 of the 除票
_REMOVED_ATENA = re.compile(r"宛名番号 (\d+)")
_NUMBER_ITEMS = ("individual_number", "resident_code", "residence_card_no")


@dataclass(frozen=True)
class ReentryOffer:
    index: int  # the form of the person in the formset "persons"
    name: str
    atena_no: str  # the 除票's


def _reentry_offers(issues: list[Any], persons: Any) -> list[ReentryOffer]:
    """For each 'move_in.reentry' error: the persons entered with a number (the planner blocks
    on 個人番号/住民票コード/在留カード番号) and not yet as 再転入."""
    removed = [m.group(1) for i in issues if i.code == "move_in.reentry" and (m := _REMOVED_ATENA.search(i.message))]
    if not removed or persons is None:
        return []
    candidates = []
    for index, form in enumerate(persons):
        values = getattr(form, "cleaned_data", None) or {}
        if any(values.get(k) for k in _NUMBER_ITEMS) and not values.get("reentry_of"):
            name = f"{values.get('surname', '')}\u3000{values.get('given_name', '')}".strip("\u3000")
            candidates.append((index, name or str(values.get("name_alphabet") or "")))
    return [ReentryOffer(index, name, atena_no) for atena_no in dict.fromkeys(removed) for index, name in candidates]


def _as_reentry(request: HttpRequest, screen: EntryScreen) -> Any:
    """The posted data with ``reentry_of`` set on the person the pressed 再転入 button names."""
    data = request.POST
    index, _, atena_no = data.get(REENTRY, "").partition(":")
    persons = next((p for p in screen.parts if p.name == "persons"), None)
    if persons is None or not index.isdigit() or not atena_no.isdigit():
        return data
    total = data.get(f"{persons.prefix}-TOTAL_FORMS", "0")
    if not total.isdigit() or int(index) >= int(total):
        return data
    changed = data.copy()
    changed[f"{persons.prefix}-{int(index)}-reentry_of"] = atena_no
    del changed[REENTRY]
    return changed


def _back_link(screen: EntryScreen, household_no: str, person: Any) -> str:
    if person is not None:
        return reverse("registry:person", args=[person.atena_no])
    if household_no:
        return reverse("registry:household", args=[household_no])
    return reverse("registry:lookup")


@require_http_methods(["GET", "POST"])
@permission_required(ENTER, raise_exception=True)
def movement_new(request: HttpRequest, kind: str) -> HttpResponse:
    screen = SCREENS.get(kind)
    if screen is None or not screen.available:
        raise Http404
    principal = principal_for(request)
    operator = _operator(request)
    if not screen.permitted(operator):
        raise PermissionDenied
    household_no = request.POST.get("household") or request.GET.get("household", "")
    atena_no = request.POST.get("person") or request.GET.get("person", "")
    person = None
    # 照会抑止 (3.1): an entry screen shows the person / the household like the look-up screens
    if atena_no:
        hooks.require_inquiry(principal, atena_no, purpose="registry.entry")
    if household_no:
        hooks.require_household_inquiry(principal, household_no)
    if screen.scope == PERSON:
        if not atena_no:
            messages.error(request, f"{screen.title}は、個人照会の画面から対象者を開いて入力してください。")
            return redirect("registry:lookup")
        try:
            person = queries.resident_for_entry(principal, atena_no)
        except DomainError as error:
            if error.code == "resident.not_found":
                raise _not_found(error) from error
            raise
    members = (
        queries.household_members_for_entry(principal, household_no)
        if household_no and screen.members and screen.scope == HOUSEHOLD
        else []
    )
    data = (_as_reentry(request, screen) if REENTRY in request.POST else request.POST) or None
    initial = {"household_no": household_no} if screen.household_key == "household_no" and household_no else {}
    form = screen.form(data, person=person, sees=operator.sees, initial=initial)
    parts = {part.name: part.form(data, prefix=part.prefix) for part in screen.parts}
    rows = _member_rows(screen, members, request)
    context: dict[str, Any] = {
        "kind": kind,
        "screen": screen,
        "label": screen.title,
        "form": form,
        "parts": [(part, parts[part.name]) for part in screen.parts],
        "members": rows,
        "household_no": household_no,
        "person": person,
        "card": queries.person_card(principal, person) if person is not None else None,
        "back": _back_link(screen, household_no, person),
        "relationship_suggestions": RELATIONSHIP_SUGGESTIONS,
        "sees_individual_number": operator.sees("individual_number"),
    }
    if request.method == "POST" and form.is_valid() and all(p.is_valid() for p in parts.values()):
        try:
            data = _planner_data(screen, form, parts, rows=rows, household_no=household_no, person=person)
            if request.POST.get("block_alert_reason", "").strip():  # 抑止（アラート）を確認した理由 (3.1)
                refuse_in_texts({"block_alert_reason": request.POST["block_alert_reason"]})
                data["block_alert_reason"] = request.POST["block_alert_reason"].strip()
            movement = enter_movement(kind, data, by=operator, acknowledged=request.POST.getlist("ack"))
        except AlertsNeedConfirmationError as alerts:
            context["alerts"] = alerts.issues
            context["block_alert"] = any(a.code == "protection.block_alert" for a in alerts.issues)
        except MovementRejectedError as rejected:
            context["errors"] = rejected.issues
            context["reentry_offers"] = _reentry_offers(rejected.issues, parts.get("persons"))
        except DomainError as error:
            context["errors"] = [error]
        else:
            messages.success(
                request,
                f"{screen.title}を仮登録しました（{movement.movement_no}）。審査・決裁を依頼してください。",
            )
            return redirect("registry:movement", movement.movement_no)
    status = 400 if request.method == "POST" and not context.get("alerts") else 200
    return render(request, "registry/movement_form.html", context, status=status)


# -- メモ (1.1.15) ------------------------------------------------------------------------------


@require_POST
@permission_required(ENTER, raise_exception=True)
def memo_add(request: HttpRequest, atena_no: str) -> HttpResponse:
    form = MemoForm(request.POST)
    if not form.is_valid():
        for error in form.errors.get("text", []):
            messages.error(request, str(error))
        return redirect("registry:person", atena_no)
    try:
        write_memo(atena_no, form.cleaned_data["text"], by=_operator(request))
    except DomainError as error:
        if error.code == "resident.not_found":
            raise _not_found(error) from error
        messages.error(request, error.message)
    else:
        messages.success(request, "メモを登録しました。")
    return redirect("registry:person", atena_no)


@require_POST
@permission_required(ENTER, raise_exception=True)
def memo_delete(request: HttpRequest, atena_no: str, memo_id: int) -> HttpResponse:
    try:
        delete_memo(atena_no, memo_id, by=_operator(request))
    except DomainError as error:
        if error.code == "resident.not_found":
            raise _not_found(error) from error
        messages.error(request, error.message)
    else:
        messages.success(request, "メモを削除しました（履歴に残ります）。")
    return redirect("registry:person", atena_no)


# -- confirmation sheet, approval, cancellation ----------------------------------------------


@require_GET
@_any_permission(VIEW, REVIEW)
def movement(request: HttpRequest, movement_no: str) -> HttpResponse:
    try:
        sheet = queries.movement_sheet(principal_for(request), movement_no)
    except DomainError as error:
        if error.code == "movement.not_found":
            raise _not_found(error) from error
        raise
    return render(
        request, "registry/movement.html", {"sheet": sheet, "label": KIND_LABELS.get(sheet.movement.kind, "")}
    )


def _movement_or_404(movement_no: str) -> Movement:
    found = Movement.objects.filter(movement_no=movement_no).first()
    if found is None:
        raise Http404
    return found


@require_POST
@permission_required(APPROVE, raise_exception=True)
def approve(request: HttpRequest, movement_no: str) -> HttpResponse:
    try:
        approve_movement(_movement_or_404(movement_no), by=_operator(request))
    except DomainError as error:
        messages.error(request, error.message)
        return redirect("registry:movement", movement_no)
    messages.success(request, f"{movement_no} を本登録しました。")
    return redirect("registry:approvals")


@require_POST
@_any_permission(ENTER, APPROVE)
def discard(request: HttpRequest, movement_no: str) -> HttpResponse:
    try:
        discard_movement(_movement_or_404(movement_no), by=_operator(request))
    except DomainError as error:
        messages.error(request, error.message)
        return redirect("registry:movement", movement_no)
    messages.success(request, f"{movement_no} の仮登録を取り消しました。")
    return redirect("web:home")


@require_POST
@permission_required(ENTER, raise_exception=True)
def cancel(request: HttpRequest, movement_no: str) -> HttpResponse:
    """Enter the 異動の取消し of a final movement (4.6) — itself a movement to approve."""
    try:
        data = {"movement_no": movement_no, "atena_nos": request.POST.getlist("atena_nos")}
        movement = enter_movement("cancellation", data, by=_operator(request), acknowledged=request.POST.getlist("ack"))
    except (MovementRejectedError, AlertsNeedConfirmationError) as problem:
        for issue in problem.issues:
            messages.error(request, issue.message)
        return redirect("registry:movement", movement_no)
    except DomainError as error:
        messages.error(request, error.message)
        return redirect("registry:movement", movement_no)
    messages.success(request, f"異動の取消しを仮登録しました（{movement.movement_no}）。")
    return redirect("registry:movement", movement.movement_no)


@require_http_methods(["GET", "POST"])
@permission_required(REVIEW, raise_exception=True)
def approvals(request: HttpRequest) -> HttpResponse:
    """The approval queue; approve one or several at once (4.0.8)."""
    principal = principal_for(request)
    if request.method == "POST":
        done, failed = 0, []
        for number in request.POST.getlist("movement_nos"):
            try:
                approve_movement(_movement_or_404(number), by=_operator(request))
                done += 1
            except DomainError as error:
                failed.append(f"{number}: {error.message}")
        if done:
            messages.success(request, f"{done}件を本登録しました。")
        for message in failed:
            messages.error(request, message)
        return redirect("registry:approvals")
    pending = queries.pending_movements(principal)
    return render(
        request, "registry/approvals.html", {"pending": pending, "labels": KIND_LABELS, "me": _operator(request)}
    )


@require_POST
@_any_permission(VIEW, REVIEW)
def print_sheet(request: HttpRequest, movement_no: str) -> HttpResponse:
    """Log the print of the 確認用帳票 (印刷ログ, 10.2), then print it in the browser."""
    movement = _movement_or_404(movement_no)
    shown = _operator(request).sees("individual_number") and any(
        i.proposed.get("individual_number_ct") for i in movement.items.all()
    )
    record_print(
        title="確認用帳票",
        mode="print",
        document=movement_no,
        persons=[i.atena_no for i in movement.items.all()],
        individual_number_printed=bool(shown),
    )
    return redirect(f"{request.path.rsplit('/print/', 1)[0]}/?print=1")


# -- 住民基本台帳の一部の写し（閲覧用） (9.5, 20.3.1) ------------------------------------------------


@require_http_methods(["GET", "POST"])
@permission_required(inspection.CAPABILITY, raise_exception=True)
def inspection_extract(request: HttpRequest) -> HttpResponse:
    """Choose 町字, download the 閲覧用 extract as CSV (the print log and the access log are
    written by the query)."""
    towns = inspection.towns()
    if request.method == "POST":
        try:
            extract = inspection.extract(principal_for(request), request.POST.getlist("towns"))
        except DomainError as error:
            messages.error(request, error.message)
        else:
            response = HttpResponse(inspection.as_csv(extract), content_type="text/csv; charset=utf-8")
            response["Content-Disposition"] = f'attachment; filename="{extract.filename}"'
            return response
    return render(request, "registry/inspection.html", {"towns": towns, "chosen": request.POST.getlist("towns")})


@require_POST
@permission_required(ENTER, raise_exception=True)
def member_order(request: HttpRequest, household_no: str) -> HttpResponse:
    """記載順位 by hand (5.2): each member's number (``order-<宛名番号>``); 「自動」 resets."""
    order: list[str] = []
    if "reset" not in request.POST:
        numbered = []
        for position, key in enumerate(k for k in request.POST if k.startswith("order-")):
            text = request.POST.get(key, "").strip()
            if not text.isdigit() or not 1 <= int(text) <= 99:
                messages.error(request, "記載順位は1から99までの数字で入力してください。")
                return redirect("registry:household", household_no)
            numbered.append((int(text), position, key.removeprefix("order-")))
        order = [atena_no for _, _, atena_no in sorted(numbered)]
    try:
        set_member_order(household_no, order, by=_operator(request))
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, "記載順位を設定しました。" if order else "記載順位を自動（5.2の順）に戻しました。")
    return redirect("registry:household", household_no)
