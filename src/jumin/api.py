"""The JSON API for linked systems, under /api/v1/ (OpenAPI at /api/v1/openapi.json).

Two ways in: a linked system's key (``Authorization: Bearer jumin_…``) or the session of
an operator who passed the second factor (with the CSRF token).  Errors are JSON with a
stable ``code`` and a Japanese ``message``."""

from __future__ import annotations

from typing import Any

from django.db import DataError
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.security import HttpBearer, SessionAuth

from jumin.accounts.api import router as accounts_router
from jumin.accounts.models import LinkedSystem, User
from jumin.accounts.principal import require
from jumin.accounts.services import linked_system_for_key
from jumin.addresses.api import router as addresses_router
from jumin.api_base import PermissionDeniedError, domain_call
from jumin.api_dates import DATE_RULE_CODES
from jumin.api_types import ErrorOut
from jumin.audit.context import acting_as_client
from jumin.audit.services import record_auth_failure
from jumin.cards.api import router as cards_router
from jumin.certificates.api import router as certificates_router
from jumin.core.errors import DomainError
from jumin.free_text import IndividualNumberInText
from jumin.inspection.api import router as inspection_router
from jumin.integrated_atena.api import router as atena_feed_router
from jumin.intermediate_server.api import router as number_exchange_router
from jumin.jukinet.api import router as jukinet_router
from jumin.jukinet.identity_api import router as identity_router
from jumin.kiosk.api import router as kiosk_router
from jumin.protection.api import router as protection_router
from jumin.protection.inquiry import InquiryBlockedError
from jumin.registry.api import router as registry_router
from jumin.search.api import router as search_router
from jumin.statistics.api import router as statistics_router

# The apps' API modules import these from jumin.api_base / jumin.accounts.principal; the
# names stay importable from here for callers of the composed API.
__all__ = ["SHARED_ERRORS", "PermissionDeniedError", "api", "domain_call", "require"]


class LinkedSystemKey(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> LinkedSystem | None:
        system = linked_system_for_key(token)
        if system is None:
            record_auth_failure("api_key_rejected", detail=request.path[:200])
            return None
        request.linked_system = system  # type: ignore[attr-defined]
        acting_as_client(system.code)
        return system


class VerifiedOperatorSession(SessionAuth):
    """The operator's session, only after the second factor (CSRF is checked by ninja)."""

    def authenticate(self, request: HttpRequest, key: str | None) -> User | None:
        user = request.user
        if user.is_authenticated and user.is_verified():
            return user
        return None


class JuminAPI(NinjaAPI):
    def _get_bound_routers(self) -> Any:
        # The shared error answers are declared on every operation before ninja binds the
        # routers (it copies each operation's responses then): a router module imported after
        # jumin.api (an app's api.py imported first) is covered too.
        if self._bound_routers_cache is None:
            _declare_shared_errors()
        return super()._get_bound_routers()


api = JuminAPI(
    title="jumin 住民記録システム API",
    version="1",
    urls_namespace="api",
    auth=[LinkedSystemKey(), VerifiedOperatorSession()],
    docs_url="/docs",  # Swagger UI from ninja's own static files (no CDN: "ninja" is an installed app)
)


def _error(request: HttpRequest, status: int, code: str, message: str, detail: Any = None) -> HttpResponse:
    body: dict[str, Any] = {"code": code, "message": message}
    if detail is not None:
        body["detail"] = detail
    return api.create_response(request, body, status=status)


@api.exception_handler(ValidationError)
def _invalid(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    """A request refused at the boundary: 422 {code, message, detail}.  ``detail`` says where
    and why (location and error type), never the refused value (it may be a 個人番号).  A date
    outside the accepted range of its kind (jumin.api_dates) answers with its rule's code and
    message (issue 14); anything else is ``request.invalid``."""
    detail = [
        {"loc": [str(part) for part in error.get("loc", ())], "type": str(error.get("type", ""))}
        for error in exc.errors
    ]
    dates = [error for error in exc.errors if error.get("type") in DATE_RULE_CODES]
    if dates:
        return _error(request, 422, str(dates[0]["type"]), str(dates[0]["msg"]), detail)
    return _error(request, 422, "request.invalid", "入力の形式・型・長さが正しくありません。", detail)


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, exc: Exception) -> HttpResponse:
    return _error(request, 404, "not_found", "該当するものがありません。")


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    codes = {400: "request.malformed", 401: "auth.required", 403: "auth.forbidden", 404: "not_found"}
    return _error(
        request, exc.status_code, codes.get(exc.status_code, "request.refused"), "リクエストを処理できません。"
    )


@api.exception_handler(DataError)
def _not_storable(request: HttpRequest, exc: DataError) -> HttpResponse:
    """Last line: a value the database refused (the boundary checks should have caught it)."""
    return _error(request, 422, "request.value_not_storable", "保存できない値が含まれています（長さ・文字・範囲）。")


@api.exception_handler(AuthenticationError)
def _unauthenticated(request: HttpRequest, exc: Exception) -> HttpResponse:
    return _error(request, 401, "auth.required", "認証が必要です（連携システムの鍵、またはログイン）。")


@api.exception_handler(PermissionDeniedError)
def _forbidden(request: HttpRequest, exc: PermissionDeniedError) -> HttpResponse:
    return _error(request, 403, "auth.forbidden", "この操作を行う権限がありません。")


@api.exception_handler(IndividualNumberInText)
def _number_in_text(request: HttpRequest, exc: IndividualNumberInText) -> HttpResponse:
    """A 個人番号 in a free-text field (issue 15): the fields are named, the value never."""
    body = {"code": exc.code, "message": exc.message, "fields": exc.fields}
    return api.create_response(request, body, status=400)


@api.exception_handler(InquiryBlockedError)
def _inquiry_blocked(request: HttpRequest, exc: InquiryBlockedError) -> HttpResponse:
    """照会抑止 (3.1): 403 with ``protection.inquiry_blocked`` or ``protection.inquiry_alert``."""
    return _error(request, 403, exc.code, exc.message)


@api.exception_handler(DomainError)
def _domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
    return _error(request, 400, exc.code, exc.message)


# The routers of the apps, in the order of the OpenAPI document (URLs and paths are pinned
# by the API tests).
api.add_router("/", accounts_router)
api.add_router("/", addresses_router)
api.add_router("/", certificates_router)
api.add_router("/", jukinet_router)
api.add_router("/", cards_router)  # card events: /api/v1/cards/events
api.add_router("/", identity_router)
api.add_router("/", inspection_router)
api.add_router("/", atena_feed_router)  # 宛名連携: /api/v1/atena-feed/…
api.add_router("/", number_exchange_router)  # 中間サーバー: /api/v1/number-exchange/…
api.add_router("/", kiosk_router)  # the 証明書交付センター: /api/v1/kiosk/...
api.add_router("/", protection_router)
api.add_router("/", registry_router)

api.add_router("/", search_router)
api.add_router("/", statistics_router)

# Every status code an operation can answer is in the OpenAPI document (issue 15): the
# refusals every operation shares — 400 (malformed request or a refused domain rule),
# 401, 403, 404 and 422 (shape, type, length, an unstorable character) — as ErrorOut,
# unless the operation declares its own.
SHARED_ERRORS = (400, 401, 403, 404, 422)


def _declare_shared_errors() -> None:
    routers = [router for _, router, *_ in api._routers]
    seen: set[int] = set()
    while routers:
        router = routers.pop()
        if id(router) in seen:
            continue
        seen.add(id(router))
        routers.extend(child for _, child, *_ in getattr(router, "_routers", ()))
        for path_view in router.path_operations.values():
            for operation in path_view.operations:
                models = operation.response_models
                # ninja answers a plain return with the only declared status: keep it the only
                # non-error one (a lone 201 must be declared with its errors by the operation).
                assert len(models) != 1 or 200 in models, operation.view_func.__name__
                for status in SHARED_ERRORS:
                    models.setdefault(status, operation._create_response_model(ErrorOut))
