"""The movement entry screens as data, and the one way they are shown and posted.

``SCREENS`` maps each movement kind to an :class:`EntryScreen` (its form, extra fieldsets,
where it is offered); :func:`render_entry` shows a screen and, on a valid post, hands what was
entered (:func:`planner_data`, the planners' shape) to the caller's ``enter`` and shows the
errors and alerts.  Used by the register's entry screens (``registry.views``) and the 特例転入
screen (``jukinet.special_views``)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from jumin.core.errors import DomainError
from jumin.core.movement_kind import MovementKind
from jumin.core.relationship import ATOMS, HEAD, LODGER, RELATIVE_BY_CONNECTION
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
from jumin.registry.models import Movement, NationalityKind
from jumin.registry.planning import KIND_LABELS, PLANNERS
from jumin.registry.services import AlertsNeedConfirmationError, MovementRejectedError
from jumin.registry.snapshots import display_name

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
    """One entry screen per movement kind.  A new kind needs a planner (registry.planning), an
    :class:`~jumin.registry.forms.EntryForm` whose ``planner_data`` gives the planner's dict,
    and one entry in ``SCREENS``; the views, the template and the links on the household
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
    label: str = ""  # default: the kind's label in KIND_LABELS
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


_ADDRESS = Part("address", AddressFields, "addr", "住所")
# 帰化 and 国籍取得 change the record the same way
BECOMES_JAPANESE = (
    "日本人住民票を職権で記載し、外国人住民票を消除します（宛名番号・個人番号・住所などは引き継ぎます）。"
)

_SCREEN_LIST = (
    EntryScreen(
        MovementKind.MOVE_IN,
        MoveInForm,
        scope=LOOKUP,
        shortcut="Alt+N",  # F4 is the 異動 menu everywhere
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
            (MovementKind.ARTICLE_30_46, ArticleMoveInForm, "Alt+1"),
            (MovementKind.ARTICLE_30_47, ArticleDeclarationForm, "Alt+2"),
        )
    ),
    EntryScreen(
        MovementKind.RELOCATION, RelocationForm, shortcut="Alt+1", members=SELECT_RELATIONSHIP, parts=(_ADDRESS,)
    ),
    EntryScreen(
        MovementKind.MOVE_OUT,
        MoveOutForm,
        shortcut="Alt+2",
        members=SELECT,
        parts=(Part("address", AddressFields, "addr", "転出先"),),
    ),
    EntryScreen(MovementKind.HOUSEHOLD_SPLIT, MovementBasics, shortcut="Alt+3", members=SELECT_RELATIONSHIP),
    EntryScreen(
        MovementKind.BIRTH,
        BirthForm,
        shortcut="Alt+4",
        household_key="household_no",
        parts=(Part("child", PersonForm, "child", "出生子"),),
    ),
    EntryScreen(MovementKind.DEATH, MovementBasics, shortcut="Alt+5", members=SELECT),
    EntryScreen(
        MovementKind.EX_OFFICIO_REMOVAL,
        ExOfficioRemovalForm,
        shortcut="Alt+9",
        members=SELECT,
        members_legend="消除する方",
        parts=(Part("address", AddressFields, "addr", "転出先（分かる場合のみ）"),),
    ),
    EntryScreen(
        MovementKind.HOUSEHOLD_MERGE,
        HouseholdMergeForm,
        shortcut="Alt+6",
        members=ALL_RELATIONSHIP,
        members_legend="合併する世帯の世帯員（合併先での続柄を入力）",
        household_key="household_no",
    ),
    EntryScreen(
        MovementKind.HOUSEHOLD_CHANGE,
        HouseholdChangeForm,
        shortcut="Alt+7",
        members=SELECT_RELATIONSHIP,
        members_legend="移る方（移る先の世帯での続柄を入力）",
    ),
    EntryScreen(
        MovementKind.HEAD_CHANGE,
        MovementBasics,
        shortcut="Alt+8",
        members=ALL_RELATIONSHIP_KEPT,
        members_legend="世帯員（新しい世帯主を「世帯主」とし、全員の続柄を見直す）",
        household_key="household_no",
    ),
    EntryScreen(MovementKind.CORRECTION, CorrectionForm, scope=PERSON, shortcut="Alt+1"),
    EntryScreen(MovementKind.DISAPPEARANCE, DisappearanceForm, scope=PERSON, shortcut="Alt+2"),
    EntryScreen(
        MovementKind.FORMER_SURNAME, FormerSurnameForm, scope=PERSON, shortcut="Alt+3", only=NationalityKind.JAPANESE
    ),
    EntryScreen(MovementKind.ALIAS, AliasForm, scope=PERSON, shortcut="Alt+4", only=NationalityKind.FOREIGN),
    EntryScreen(
        MovementKind.NATURALIZATION,
        NaturalizationForm,
        scope=PERSON,
        shortcut="Alt+5",
        only=NationalityKind.FOREIGN,
        hint=BECOMES_JAPANESE,
    ),
    EntryScreen(
        MovementKind.NATIONALITY_ACQUISITION,
        NationalityAcquisitionForm,
        scope=PERSON,
        shortcut="Alt+6",
        only=NationalityKind.FOREIGN,
        hint=BECOMES_JAPANESE,
    ),
    EntryScreen(
        MovementKind.NATIONALITY_LOSS,
        NationalityLossForm,
        scope=PERSON,
        shortcut="Alt+7",
        only=NationalityKind.JAPANESE,
        hint="外国人住民票を職権で記載し、日本人住民票を消除します。在留資格がなければ「国籍喪失による経過滞在者」です。",
    ),
    EntryScreen(
        MovementKind.RESIDENT_CODE,
        ResidentCodeForm,
        scope=PERSON,
        shortcut="Alt+8",
        requires="accounts.assign_resident_code",
        hint="新しい住民票コードは本登録のときに空きコードから無作為に払い出します。",
    ),
    EntryScreen(
        MovementKind.INDIVIDUAL_NUMBER,
        IndividualNumberForm,
        scope=PERSON,
        shortcut="Alt+9",
        requires="accounts.see_individual_number",
        hint="個人番号は仮登録のときに機構（J-LIS）へ生成・変更を要求し、確認用帳票に表示します。",
    ),
    EntryScreen(
        MovementKind.PROGRAM_ITEMS,
        ProgramItemsForm,
        scope=PERSON,
        shortcut="Alt+V",
        hint="国保・年金・介護・後期高齢・児童手当・選挙の担当課からの通知により、職権で記載・修正します。",
    ),
    EntryScreen(
        MovementKind.REBUILD,
        RebuildForm,
        scope=PERSON,
        shortcut="Alt+0",
        hint="今の住民票は除票（改製原住民票）となり、同じ宛名番号で新しい住民票を記載します。",
    ),
)
SCREENS: dict[str, EntryScreen] = {screen.kind: screen for screen in _SCREEN_LIST}
"""The entry screen of each movement kind, in the order of their keys."""


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


def member_rows(screen: EntryScreen, members: list[Any], request: HttpRequest) -> list[MemberRow]:
    posted = request.method == "POST"
    selected = set(request.POST.getlist("atena_nos") if posted else request.GET.getlist("atena_nos"))
    rows = []
    for m in members:
        kept = m.relationship if screen.members == ALL_RELATIONSHIP_KEPT else ""
        new = request.POST.get(f"rel_{m.atena_no}", "") if posted else kept
        rows.append(MemberRow(m.atena_no, m.name, m.relationship, m.atena_no in selected, new))
    return rows


def planner_data(
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
_NUMBER_ITEMS = ("individual_number", "resident_code", "residence_card_no")


@dataclass(frozen=True)
class ReentryOffer:
    index: int  # the form of the person in the formset "persons"
    name: str
    atena_no: str  # the 除票's


def reentry_offers(issues: list[Any], persons: Any) -> list[ReentryOffer]:
    """For each 'move_in.reentry' error: the persons entered with a number (the planner blocks
    on 個人番号/住民票コード/在留カード番号) and not yet as 再転入."""
    removed = [i.related_atena_no for i in issues if i.code == "move_in.reentry" and i.related_atena_no]
    if not removed or persons is None:
        return []
    candidates = []
    for index, form in enumerate(persons):
        values = getattr(form, "cleaned_data", None) or {}
        if any(values.get(k) for k in _NUMBER_ITEMS) and not values.get("reentry_of"):
            candidates.append((index, display_name(values)))
    return [ReentryOffer(index, name, atena_no) for atena_no in dict.fromkeys(removed) for index, name in candidates]


# The item an error of the planner is about, where one item is (issue 17: the screen marks it
# and puts the focus there); other errors mark the person's whole fieldset.
ISSUE_FIELDS = {
    "person.kind": "nationality_kind",
    "person.name": "surname",
    "person.furigana": "furigana_surname",
    "person.birth_future": "birth",
    "person.sex": "sex",
    "person.honseki_kind": "honseki_kind",
    "person.honseki": "honseki",
    "person.duplicate_number": "individual_number",
    "foreign.nationality": "nationality",
    "foreign.category": "residence_category",
    "foreign.card_no": "residence_card_no",
}
PERSON_MARK = "*"  # in the list of a person in error: their fieldset is marked


def persons_in_error(issues: list[Any], persons: Any) -> dict[str, list[str]]:
    """For each form of the formset "persons" an error names (by index, as text): ``*`` and the
    items in error (issue 17: the screen highlights the person and the item, and puts the focus
    on the first)."""
    fields: dict[str, set[str]] = {}
    for issue in issues:
        if getattr(issue, "person_name", ""):
            fields.setdefault(issue.person_name, {PERSON_MARK}).update(
                {ISSUE_FIELDS[issue.code]} if issue.code in ISSUE_FIELDS else set()
            )
    if not fields or persons is None:
        return {}
    found = {}
    for index, form in enumerate(persons):
        values = getattr(form, "cleaned_data", None) or {}
        name = display_name(values)  # as the planner names the person (Issue.person_name)
        if name in fields:
            found[str(index)] = sorted(fields[name])
    return found


def as_reentry(request: HttpRequest, screen: EntryScreen) -> Any:
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


def back_link(screen: EntryScreen, household_no: str, person: Any) -> str:
    if person is not None:
        return reverse("registry:person", args=[person.atena_no])
    if household_no:
        return reverse("registry:household", args=[household_no])
    return reverse("registry:lookup")


Enter = Callable[[dict[str, Any], list[str]], Movement]
"""Stores the 仮登録: what was entered (the planners' shape) and the alerts acknowledged."""


def render_entry(
    request: HttpRequest,
    screen: EntryScreen,
    *,
    label: str,
    form: EntryForm,
    parts: dict[str, Any],
    rows: list[MemberRow],
    household_no: str,
    person: Any,
    card: Any,
    back: str,
    sees_individual_number: bool,
    enter: Enter,
    offer_reentry: bool = False,
    confirm_block_alert: bool = False,
    replacing: Movement | None = None,
) -> HttpResponse:
    """The entry screen of ``screen``; on a valid post, ``enter`` stores the 仮登録 and the
    browser goes to the movement, else the errors or the alerts to confirm are shown.
    ``offer_reentry``: a 再転入 button for a person the planner found a 除票 of;
    ``confirm_block_alert``: the 抑止（アラート） asks for the reason of going on (3.1);
    ``replacing``: the returned movement (差戻し) this entry corrects, shown with its comment."""
    context: dict[str, Any] = {
        "kind": screen.kind,
        "screen": screen,
        "label": label,
        "form": form,
        "parts": [(part, parts[part.name]) for part in screen.parts],
        "members": rows,
        "household_no": household_no,
        "person": person,
        "card": card,
        "back": back,
        "relationship_suggestions": RELATIONSHIP_SUGGESTIONS,
        "sees_individual_number": sees_individual_number,
        "replacing": replacing,
    }
    if request.method == "POST" and form.is_valid() and all(p.is_valid() for p in parts.values()):
        try:
            data = planner_data(screen, form, parts, rows=rows, household_no=household_no, person=person)
            movement = enter(data, request.POST.getlist("ack"))
        except AlertsNeedConfirmationError as alerts:
            context["alerts"] = alerts.issues
            if confirm_block_alert:
                context["block_alert"] = any(a.code == "protection.block_alert" for a in alerts.issues)
        except MovementRejectedError as rejected:
            context["errors"] = rejected.issues
            context["error_persons"] = persons_in_error(rejected.issues, parts.get("persons"))
            if offer_reentry:
                context["reentry_offers"] = reentry_offers(rejected.issues, parts.get("persons"))
        except DomainError as error:
            context["errors"] = [error]
        else:
            corrected = f"（差し戻された {replacing.movement_no} を修正）" if replacing is not None else ""
            messages.success(
                request,
                f"{label}を仮登録しました（{movement.movement_no}）{corrected}。審査・決裁を依頼してください。",
            )
            return redirect("registry:movement", movement.movement_no)
    status = 400 if request.method == "POST" and not context.get("alerts") else 200
    return render(request, "registry/movement_form.html", context, status=status)
