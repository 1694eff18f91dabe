"""What every app's API module needs, without the API object itself (issue 16).

The apps define their own ``ninja.Router``; the composition root (:mod:`jumin.api`) builds
the ``NinjaAPI``, adds the routers and maps these exceptions to the JSON error answers.  This
module imports nothing from the apps, so an app's API never imports the composition root.
The permission check (``require``) is :func:`jumin.accounts.principal.require`."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from jumin.core.errors import DomainError

T = TypeVar("T")


class PermissionDeniedError(Exception):
    """The caller lacks a permission: the API answers 403 ``auth.forbidden``."""

    def __init__(self, perm: str) -> None:
        super().__init__(perm)
        self.perm = perm


def domain_call(call: Callable[[], T]) -> T:
    """Run a query or service; its ``auth.forbidden`` becomes the API's 403."""
    try:
        return call()
    except DomainError as error:
        if error.code == "auth.forbidden":
            raise PermissionDeniedError(error.code) from error
        raise
