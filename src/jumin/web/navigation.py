"""The menu of the UI shell.  Each app adds its entries here; the shell shows the ones
the operator may use, each with its keyboard shortcut (spec 2.3.2: keyboard only)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    shortcut: str  # a key name as in KeyboardEvent.key, e.g. "F2"
    permission: str | tuple[str, ...] | None = None  # a tuple: any one of them


ITEMS: list[NavItem] = [
    NavItem("ホーム", "web:home", "F2"),
    NavItem("住民照会", "registry:lookup", "F3", permission="accounts.view_resident"),
    NavItem("異動入力", "registry:movement_menu", "F4", permission="accounts.enter_movement"),
    NavItem("住民検索", "search:index", "Alt+K", permission="accounts.view_resident"),
    NavItem("本人確認", "identity:check", "Alt+O", permission="accounts.view_resident"),
    NavItem("証明書交付", "certificates:index", "Alt+I", permission="accounts.issue_certificate"),
    NavItem("審査・決裁", "registry:approvals", "F6", permission="accounts.view_provisional"),
    NavItem("監査", "audit:index", "F7", permission="accounts.view_audit_log"),
    NavItem("支援措置", "protection:index", "Alt+Y", permission="accounts.manage_support_measure"),
    NavItem("住基ネット連携", "jukinet:index", "Alt+G", permission="accounts.run_batch"),
    NavItem("連携状況", "linkage:index", "Alt+V", permission="accounts.run_batch"),
    NavItem("コンビニ交付", "kiosk:index", "Shift+F9", permission="accounts.run_batch"),
    NavItem("戸籍の通知・附票", "koseki:index", "Shift+F8", permission="accounts.view_resident"),
    NavItem("法務省通知", "immigration:index", "Shift+F3", permission="accounts.view_resident"),
    NavItem("特例転入", "jukinet_special:index", "Alt+Z", permission="accounts.view_resident"),
    NavItem("広域交付", "jukinet_wide_area:index", "Shift+F5", permission="accounts.issue_certificate"),
    NavItem("電子申請", "applications:index", "Shift+F4", permission="accounts.view_resident"),
    NavItem("統計（統計・閲覧）", "statistics:index", "Alt+T", permission="accounts.run_batch"),
    # 統計・閲覧: the 閲覧台帳 (jumin.inspection); the counter clerk and the reviewer of 閲覧申出
    NavItem(
        "閲覧台帳（統計・閲覧）",
        "inspection:index",
        "Shift+F7",
        permission=("accounts.issue_certificate", "accounts.review_inspection"),
    ),
    # 番号連携: the 自動応答不可 queue (支援措置責任者), 開示請求 (閲覧), 権限管理 (システム管理者)
    NavItem(
        "番号連携",
        "number_exchange:index",
        "Shift+F6",
        permission=("accounts.manage_support_measure", "accounts.view_resident", "accounts.administer_users"),
    ),
    NavItem("認証者", "certificates:certifiers", "Shift+F2", permission="accounts.administer_terminals"),
    NavItem("利用者管理", "accounts:users", "F10", permission="accounts.administer_users"),
]

# Keys that are not bound to a visible button or link, listed in the help dialog (F1)
# below the page's own shortcuts (which the dialog collects from data-shortcut).
GLOBAL_SHORTCUTS: list[tuple[str, str]] = [
    ("F1", "この一覧を開く・閉じる"),
    ("Esc", "ダイアログを閉じる・入力を取り消して戻る"),
    ("Alt+M", "メニューへ移動"),
    ("Alt+C", "本文へ移動"),
]


def _allowed(item: NavItem, has_perm: object) -> bool:
    if item.permission is None:
        return True
    if not callable(has_perm):
        return False
    wanted = (item.permission,) if isinstance(item.permission, str) else item.permission
    return any(has_perm(p) for p in wanted)


def visible_items(user: object) -> list[NavItem]:
    has_perm = getattr(user, "has_perm", None)
    return [item for item in ITEMS if _allowed(item, has_perm)]


# The function keys mean the same on every screen (issue 17): the shell binds them, and no
# screen binds an F key to anything else (tests/web/test_shell.py checks every template).
SHELL_KEYS: dict[str, str] = {"F1": "ヘルプ", "F8": "画面ロック", "F9": "ログアウト"}
FUNCTION_KEYS = tuple(f"F{n}" for n in range(1, 13))


@dataclass(frozen=True)
class KeyBarKey:
    key: str
    label: str  # "" when the key does nothing for this operator


def key_bar(user: object) -> list[KeyBarKey]:
    """F1–F12 as the bar at the bottom of every screen shows them: the same key, the same
    meaning everywhere; a menu key the operator may not use is shown empty."""
    meanings = {**SHELL_KEYS, **{item.shortcut: item.label for item in visible_items(user)}}
    return [KeyBarKey(key, meanings.get(key, "")) for key in FUNCTION_KEYS]


def reserved_function_keys() -> dict[str, str]:
    """Every F key the shell binds (whoever is logged in), with its meaning."""
    return {**SHELL_KEYS, **{item.shortcut: item.label for item in ITEMS if item.shortcut in FUNCTION_KEYS}}
