"""The user of a session and their permissions (issue 24): on PostgreSQL read in one statement,
always the permissions as they are now — a role taken away counts at the next request."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group, Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext

from jumin.accounts.backends import JuminBackend
from jumin.accounts.models import User
from tests.conftest import make_operator

pytestmark = pytest.mark.django_db


def _classic(user: User) -> set[str]:
    """The permissions as ModelBackend's own two queries find them."""
    own = {f"{p.content_type.app_label}.{p.codename}" for p in Permission.objects.filter(user=user)}
    return own | {f"{p.content_type.app_label}.{p.codename}" for p in Permission.objects.filter(group__user=user)}


def test_the_session_user_comes_with_their_own_and_their_groups_permissions() -> None:
    user = make_operator("tanaka", roles=("窓口入力", "審査"))
    user.user_permissions.add(Permission.objects.get(content_type__app_label="accounts", codename="view_resident"))
    with CaptureQueriesContext(connection) as statements:
        loaded = JuminBackend().get_user(user.pk)
        assert loaded is not None
        permissions = loaded.get_all_permissions()
    assert permissions == _classic(user) and "accounts.view_resident" in permissions
    assert len(statements) == (1 if connection.vendor == "postgresql" else 2)
    assert loaded.has_perm("accounts.view_resident") and not loaded.has_perm("accounts.no_such_permission")


def test_a_role_taken_away_counts_at_the_next_request() -> None:
    user = make_operator("suzuki", roles=("窓口入力",))
    backend = JuminBackend()
    before = backend.get_user(user.pk)
    assert before is not None and before.get_all_permissions()
    user.groups.remove(Group.objects.get(name="窓口入力"))
    after = backend.get_user(user.pk)
    assert after is not None and after.get_all_permissions() == set()
    assert not after.has_perm("accounts.view_resident")


def test_no_permission_for_an_account_that_may_not_log_in() -> None:
    user = make_operator("sato", roles=("窓口入力",))
    User.objects.filter(pk=user.pk).update(is_active=False)
    assert JuminBackend().get_user(user.pk) is None
    assert JuminBackend().get_user(10**9) is None
