"""Register screens: look-up, person and household views with history, 統合記載欄 and メモ,
one entry screen per movement kind, the confirmation sheet, the approval queue.  Thin: parse,
call one service or query, render.

The entry screens are data (``registry.entry``: ``SCREENS`` maps each movement kind to an
``EntryScreen``, its form, where it is offered and by which key, how the household's members
are listed); a new kind is one form in forms.py and one entry in ``SCREENS``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast
from urllib.parse import urlencode

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
from jumin.conf.domain import era_table
from jumin.core.errors import DomainError
from jumin.free_text import refuse_in_texts
from jumin.registry import hooks, queries
from jumin.registry.again import refilled_parts, screen_again
from jumin.registry.entry import (
    HOUSEHOLD,
    LOOKUP,
    PERSON,
    REENTRY,
    SCREENS,
    as_reentry,
    back_link,
    member_rows,
    render_entry,
    screens_for,
)
from jumin.registry.forms import (
    MemoForm,
    ReturnForm,
)
from jumin.registry.memos import delete_memo, write_memo
from jumin.registry.models import Movement, Resident
from jumin.registry.planning import KIND_LABELS
from jumin.registry.services import (
    AlertsNeedConfirmationError,
    MovementRejectedError,
    approve_movement,
    discard_movement,
    enter_movement,
    resubmit_movement,
    return_movement,
    set_member_order,
)


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


def _marks(
    request: HttpRequest, atena_nos: list[str], households: dict[str, str] | None = None, *, untouched: bool = False
) -> dict[str, Any]:
    """支援措置・抑止 marks (2.2.4) of the persons shown, and whether the operator may jump to
    the 支援措置 database from them (``households``: their 世帯番号, when just read;
    ``untouched``: the read showed that nobody has a mark — hooks.untouched)."""
    principal = principal_for(request)
    marks = (
        {n: [] for n in atena_nos}
        if untouched
        else hooks.marks_of(principal, atena_nos, purpose="registry.marks", households=households)
    )
    return {"marks": marks, "marks_link": hooks.marks_link(principal)}


@require_GET
@permission_required(VIEW, raise_exception=True)
def person(request: HttpRequest, atena_no: str) -> HttpResponse:
    try:  # 照会抑止 is checked by person_page before anything is shown (the 除票DB page: its own)
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
        "actions": hooks.actions_for_person(cast(User, request.user), detail.card.atena_no) if current else [],
        **_marks(
            request,
            [detail.card.atena_no],
            {detail.card.atena_no: str(detail.card.values["household_no"])},
            untouched=detail.untouched,
        ),
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
    # a member's own 照会抑止 hides that member's row (only the 宛名番号 and the mark stay)
    hidden = hooks.hidden_from_inquiry(
        principal_for(request),
        [c.atena_no for c in cards],
        {c.atena_no: str(c.values["household_no"]) for c in cards},
        purpose="registry.household",
    )
    shown = next((c.atena_no for c in detail.members if c.atena_no not in hidden), "")
    context = {
        "detail": detail,
        "include_removed": include_removed,
        "screens": screens_for(HOUSEHOLD, user=request.user),
        "actions": hooks.actions_for_household(cast(User, request.user), household_no, shown),
        **_marks(request, [c.atena_no for c in cards], {c.atena_no: str(c.values["household_no"]) for c in cards}),
        "inquiry_hidden": hidden,
    }
    return render(request, "registry/household.html", context)


# -- entry -----------------------------------------------------------------------------------


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
    data = (as_reentry(request, screen) if REENTRY in request.POST else request.POST) or None
    initial = {"household_no": household_no} if screen.household_key == "household_no" and household_no else {}
    replacing = _returned_to_me(request, kind)
    if replacing is not None:  # correcting a returned movement: its dates again
        initial["effective"] = replacing.effective_text
        if replacing.notified_on:
            initial["notified_on"] = era_table().format(replacing.notified_on)
    refill = screen_again(screen, replacing) if data is None else None  # 再入力 of a returned 転入
    if refill is not None:
        initial.update(refill.form)
    form = screen.form(data, person=person, sees=operator.sees, initial=initial)
    again = _address_again(replacing)
    parts = {
        part.name: part.form(data, prefix=part.prefix, initial=again)
        if part.name == "address" and again
        else part.form(data, prefix=part.prefix)
        for part in screen.parts
    }
    if refill is not None:
        parts.update(refilled_parts(screen, refill))
    rows = member_rows(screen, members, request)

    def enter(entered: dict[str, Any], acknowledged: list[str]) -> Movement:
        if request.POST.get("block_alert_reason", "").strip():  # 抑止（アラート）を確認した理由 (3.1)
            refuse_in_texts({"block_alert_reason": request.POST["block_alert_reason"]})
            entered["block_alert_reason"] = request.POST["block_alert_reason"].strip()
        return enter_movement(kind, entered, by=operator, acknowledged=acknowledged, replaces=replacing)

    return render_entry(
        request,
        screen,
        label=screen.title,
        form=form,
        parts=parts,
        rows=rows,
        household_no=household_no,
        person=person,
        card=queries.person_card(principal, person) if person is not None else None,
        back=back_link(screen, household_no, person),
        sees_individual_number=operator.sees("individual_number"),
        enter=enter,
        offer_reentry=True,
        confirm_block_alert=True,
        replacing=replacing,
    )


# The address part of an entry screen, read back from a returned movement's first person.
_ADDRESS_AGAIN = {
    "address": ("address", "banchi", "katagaki", "postcode", "address_code"),
    "destination": (
        "destination",
        "destination_banchi",
        "destination_katagaki",
        "destination_postcode",
        "destination_code",
    ),
}
_ADDRESS_OF_KIND = {"move_out": "destination", "ex_officio_removal": "destination"}


def _address_again(replacing: Movement | None) -> dict[str, str]:
    """What a returned movement recorded as its address (転出先 for 転出・職権消除), so that the
    clerk correcting it changes only what the reviewer asked for."""
    if replacing is None:
        return {}
    item = replacing.items.order_by("id").first()
    if item is None:
        return {}
    keys = _ADDRESS_AGAIN[_ADDRESS_OF_KIND.get(replacing.kind, "address")]
    fields = ("address", "banchi", "katagaki", "postcode", "address_code")
    return {field: str(item.proposed.get(key) or "") for field, key in zip(fields, keys, strict=True)}


def _returned_to_me(request: HttpRequest, kind: str) -> Movement | None:
    """The returned movement (差戻し) this entry corrects (``replaces``), when it is the
    operator's own, returned, and of this kind; else None (a plain new entry)."""
    number = (request.POST.get("replaces") or request.GET.get("replaces", "")).strip()
    if not number:
        return None
    found = Movement.objects.filter(movement_no=number, kind=kind, state=Movement.State.RETURNED).first()
    if found is None or found.entered_by_id != _operator(request).pk:
        return None
    return found


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
        request,
        "registry/movement.html",
        {
            "sheet": sheet,
            "label": KIND_LABELS.get(sheet.movement.kind, ""),
            "return_form": ReturnForm(),
            "correct_url": correction_url(sheet.movement),
        },
    )


def _movement_or_404(movement_no: str) -> Movement:
    found = Movement.objects.filter(movement_no=movement_no).first()
    if found is None:
        raise Http404
    return found


@require_POST
@permission_required(APPROVE, raise_exception=True)
def return_to_clerk(request: HttpRequest, movement_no: str) -> HttpResponse:
    """差戻し: back to the entering clerk with a comment; the reviewer goes on with the queue."""
    movement = _movement_or_404(movement_no)
    form = ReturnForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, str(error))
        return redirect("registry:movement", movement_no)
    try:
        return_movement(movement, form.cleaned_data["comment"], by=_operator(request))
    except DomainError as error:
        messages.error(request, error.message)
        return redirect("registry:movement", movement_no)
    messages.success(request, f"{movement_no} を入力者（{movement.entered_by}）に差し戻しました。")
    return redirect("registry:approvals")


@require_POST
@permission_required(ENTER, raise_exception=True)
def resubmit(request: HttpRequest, movement_no: str) -> HttpResponse:
    """The clerk sends a returned movement back to the queue as it is."""
    try:
        resubmit_movement(_movement_or_404(movement_no), by=_operator(request))
    except DomainError as error:
        messages.error(request, error.message)
        return redirect("registry:movement", movement_no)
    messages.success(request, f"{movement_no} を再提出しました。審査・決裁を待ちます。")
    return redirect("registry:movement", movement_no)


@require_GET
@permission_required(ENTER, raise_exception=True)
def returned(request: HttpRequest) -> HttpResponse:
    """The movements returned to the operator (差戻し一覧), with the reviewers' comments."""
    rows = queries.returned_movements(principal_for(request))
    return render(request, "registry/returned.html", {"rows": rows})


def correction_url(movement: Movement) -> str:
    """The entry screen that corrects a returned movement: the same kind, opened on the same
    household or person, the persons chosen again (``replaces`` names the returned one)."""
    screen = SCREENS.get(movement.kind)
    if movement.state != Movement.State.RETURNED or screen is None or not screen.available:
        return ""
    items = list(movement.items.order_by("id"))
    existing = [i.atena_no for i in items if i.base_history_no]
    query: dict[str, Any] = {"replaces": movement.movement_no}
    if screen.scope == PERSON:
        if not existing:
            return ""
        query["person"] = existing[0]
    elif screen.scope == HOUSEHOLD:
        current = dict(Resident.objects.filter(atena_no__in=existing).values_list("atena_no", "household_no"))
        household_no = current.get(existing[0]) if existing else str(items[0].proposed.get("household_no") or "")
        if not household_no:
            return ""
        query["household"] = household_no
        query["atena_nos"] = existing
    return f"{reverse('registry:movement_new', args=[movement.kind])}?{urlencode(query, doseq=True)}"


@require_POST
@permission_required(APPROVE, raise_exception=True)
def approve(request: HttpRequest, movement_no: str) -> HttpResponse:
    try:
        confirmed = request.POST.get("characters_confirmed") == "1"  # 文字確認が必要: the reviewer's check
        approve_movement(_movement_or_404(movement_no), by=_operator(request), characters_confirmed=confirmed)
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
    queue = queries.approval_queue(
        principal,
        kind=request.GET.get("kind", "").strip()[:40],
        place=request.GET.get("place", "").strip()[:20],
        sort=request.GET.get("sort", "waited"),
        page=_page_number(request.GET.get("page", "")),
    )
    return render(request, "registry/approvals.html", {"queue": queue, "sorts": queries.QUEUE_SORTS})


def _page_number(text: str) -> int:
    """A page number as typed into a URL; anything else is the first page."""
    return int(text) if text.isdigit() and len(text) <= 6 else 1


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
