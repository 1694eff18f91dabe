"""Register screens: look-up, person and household views with history, one entry screen per
movement, the confirmation sheet, the approval queue.  Thin: parse, call one service or
query, render."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import permission_required, user_passes_test
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from jumin.accounts.models import User
from jumin.accounts.principal import principal_for
from jumin.audit.services import record_print
from jumin.core.errors import DomainError
from jumin.core.relationship import ATOMS, HEAD, LODGER, RELATIVE_BY_CONNECTION
from jumin.registry import queries
from jumin.registry.forms import (
    AddressFields,
    BirthForm,
    MoveInForm,
    MovementBasics,
    MoveOutForm,
    PersonForm,
    PersonFormSet,
    RelocationForm,
)
from jumin.registry.models import Movement
from jumin.registry.planning import KIND_LABELS
from jumin.registry.services import (
    AlertsNeedConfirmationError,
    MovementRejectedError,
    approve_movement,
    discard_movement,
    enter_movement,
)

# Movements with an entry screen; the others are entered through the API for now.
SCREEN_KINDS = {"move_in", "relocation", "move_out", "household_split", "birth", "death"}
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
            messages.error(request, error.message)
        else:
            return redirect(f"registry:{kind}", value)
    return render(request, "registry/lookup.html", {"number": number, "kind": kind})


@require_GET
@permission_required(VIEW, raise_exception=True)
def person(request: HttpRequest, atena_no: str) -> HttpResponse:
    try:
        detail = queries.person_detail(principal_for(request), atena_no)
    except DomainError as error:
        if error.code == "resident.not_found":
            raise _not_found(error) from error
        raise
    return render(request, "registry/person.html", {"detail": detail, "card": detail.card})


@require_GET
@permission_required(VIEW, raise_exception=True)
def household(request: HttpRequest, household_no: str) -> HttpResponse:
    include_removed = request.GET.get("removed") == "1"
    try:
        detail = queries.household_detail(principal_for(request), household_no, include_removed=include_removed)
    except DomainError as error:
        if error.code == "household.not_found":
            raise _not_found(error) from error
        raise
    return render(
        request, "registry/household.html", {"detail": detail, "include_removed": include_removed, "kinds": KIND_LABELS}
    )


# -- entry -----------------------------------------------------------------------------------


def _forms(kind: str, data: Any) -> dict[str, Any]:
    basics = {"move_in": MoveInForm, "move_out": MoveOutForm, "relocation": RelocationForm, "birth": BirthForm}.get(
        kind, MovementBasics
    )
    forms: dict[str, Any] = {"basics": basics(data)}
    if kind == "move_in":
        forms.update(
            address=AddressFields(data, prefix="addr"),
            previous=AddressFields(data, prefix="prev"),
            persons=PersonFormSet(data, prefix="p"),
        )
    if kind in ("relocation", "move_out"):
        forms["address"] = AddressFields(data, prefix="addr")
    if kind == "birth":
        forms["child"] = PersonForm(data, prefix="child")
    return forms


def _data(kind: str, request: HttpRequest, forms: dict[str, Any]) -> dict[str, Any]:
    """What was entered, in the shape the planners take (the same as the API's)."""
    basics = {k: v for k, v in forms["basics"].cleaned_data.items() if v not in ("", None)}
    data: dict[str, Any] = {k: basics[k] for k in ("effective", "notified_on", "initiation", "reason") if k in basics}
    data["atena_nos"] = request.POST.getlist("atena_nos")
    data["relationships"] = {
        a: request.POST.get(f"rel_{a}", "") for a in data["atena_nos"] if request.POST.get(f"rel_{a}")
    }
    if kind == "move_in":
        data["household"] = {
            "mode": basics.get("household_mode", "new"),
            "household_no": basics.get("household_no", ""),
        }
        data["address"] = forms["address"].data_dict()
        data["previous_address"] = {**forms["previous"].data_dict(), "unreported": basics.get("previous_unreported")}
        data["persons"] = [f.data_dict() for f in forms["persons"] if f.has_changed() and f.data_dict()]
    elif kind == "relocation":
        data["destination"] = {
            "mode": basics.get("destination_mode"),
            "household_no": basics.get("household_no", ""),
            "address": forms["address"].data_dict(),
        }
    elif kind == "move_out":
        data["destination"] = forms["address"].data_dict()
    elif kind == "birth":
        data["household_no"] = basics.get("household_no", "")
        data["person"] = forms["child"].data_dict()
    return data


@require_http_methods(["GET", "POST"])
@permission_required(ENTER, raise_exception=True)
def movement_new(request: HttpRequest, kind: str) -> HttpResponse:
    if kind not in SCREEN_KINDS:
        raise Http404
    household_no = request.POST.get("household") or request.GET.get("household", "")
    members = queries.household_members_for_entry(principal_for(request), household_no) if household_no else []
    forms = _forms(kind, request.POST or None)
    context: dict[str, Any] = {
        "kind": kind,
        "label": KIND_LABELS[kind],
        "forms": forms,
        "members": members,
        "household_no": household_no,
        "selected": request.POST.getlist("atena_nos"),
        "relationship_suggestions": RELATIONSHIP_SUGGESTIONS,
        "sees_individual_number": _operator(request).sees("individual_number"),
    }
    if request.method == "POST" and all(form.is_valid() for form in forms.values()):
        try:
            movement = enter_movement(
                kind, _data(kind, request, forms), by=_operator(request), acknowledged=request.POST.getlist("ack")
            )
        except AlertsNeedConfirmationError as alerts:
            context["alerts"] = alerts.issues
        except MovementRejectedError as rejected:
            context["errors"] = rejected.issues
        except DomainError as error:
            context["errors"] = [error]
        else:
            messages.success(
                request,
                f"{KIND_LABELS[kind]}を仮登録しました（{movement.movement_no}）。審査・決裁を依頼してください。",
            )
            return redirect("registry:movement", movement.movement_no)
    status = 400 if context.get("errors") else 200
    return render(request, "registry/movement_form.html", context, status=status)


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
