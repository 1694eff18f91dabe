"""Authentication backend: honours locks, revocation and validity periods on every request.

Django checks ``user_can_authenticate`` at login and again whenever it loads the user of a
session (``get_user``), so a revoked, locked or expired account loses its open sessions at
the next request."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Permission
from django.db.models import QuerySet


class JuminBackend(ModelBackend):
    def user_can_authenticate(self, user: Any) -> bool:
        refusal = getattr(user, "login_refusal", None)
        return refusal is not None and refusal() is None

    def _get_permissions(self, user_obj: Any, obj: Any, from_name: str) -> set[str]:
        # Unlike ModelBackend, a superuser flag grants nothing (the database forbids it anyway).
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        cache = f"_{from_name}_perm_cache"
        if not hasattr(user_obj, cache):
            perms: QuerySet[Permission] = getattr(self, f"_get_{from_name}_permissions")(user_obj)
            names = perms.values_list("content_type__app_label", "codename").order_by()
            setattr(user_obj, cache, {f"{ct}.{name}" for ct, name in names})
        result: set[str] = getattr(user_obj, cache)
        return result

    def get_all_permissions(self, user_obj: Any, obj: Any = None) -> set[str]:
        """The user's own and their groups' permissions in ONE query (ModelBackend makes two),
        cached on the user object for the request like ModelBackend does."""
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        if not hasattr(user_obj, "_perm_cache"):
            columns = ("content_type__app_label", "codename")
            own = Permission.objects.filter(user=user_obj).values_list(*columns).order_by()
            via_groups = Permission.objects.filter(group__user=user_obj).values_list(*columns).order_by()
            user_obj._perm_cache = {f"{ct}.{name}" for ct, name in own.union(via_groups, all=True)}
        result: set[str] = user_obj._perm_cache
        return result
