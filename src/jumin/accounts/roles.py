"""The standard roles: bundles of capabilities that administrators assign to operators.

Created (never overwritten) after every ``migrate``; administrators may change them and
may give a single operator an extra capability (spec 10.4: visibility per user)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import Group, Permission

from jumin.accounts.models import CAPABILITIES

ROLES: dict[str, tuple[str, ...]] = {
    "窓口入力": ("view_resident", "view_provisional", "enter_movement", "see_honseki", "see_residence_status"),
    "審査・決裁": (
        "view_resident",
        "view_provisional",
        "approve_movement",
        "review_inspection",
        "see_honseki",
        "see_residence_status",
        "see_resident_code",
    ),
    "証明書交付": ("view_resident", "issue_certificate", "see_honseki", "see_residence_status"),
    "他部署照会": ("view_resident",),
    "個人番号利用事務": ("see_individual_number",),
    "住民票コード事務": ("see_resident_code", "assign_resident_code"),
    "支援措置責任者": (
        "view_resident",
        "view_provisional",
        "manage_support_measure",
        "set_block",
        "release_block",
        "temporarily_release_block",
    ),
    "バッチ運用": ("run_batch",),
    "EUC": ("use_euc", "view_resident"),
    "システム管理者": ("administer_users", "administer_terminals", "administer_linked_systems"),
    "監査": ("view_audit_log",),
}


def ensure_roles(**kwargs: Any) -> None:
    """post_migrate: create missing roles with their capabilities; leave existing ones alone."""
    permissions = {
        p.codename: p
        for p in Permission.objects.filter(content_type__app_label="accounts", content_type__model="capability")
    }
    if not permissions:
        return
    for name, codenames in ROLES.items():
        group, created = Group.objects.get_or_create(name=name)
        if created:
            group.permissions.set([permissions[c] for c in codenames])


def role_matrix_markdown() -> str:
    """The roles x capabilities table of docs/security.md (a test keeps the two equal)."""
    roles = list(ROLES)
    lines = ["| 権限 (capability) | " + " | ".join(roles) + " |", "|---|" + "---|" * len(roles)]
    for code, label in CAPABILITIES:
        marks = " | ".join("✔" if code in ROLES[role] else "" for role in roles)
        lines.append(f"| {label} `{code}` | {marks} |")
    return "\n".join(lines)
