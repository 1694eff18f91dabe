"""How the audit screens show a report (issue 17): operators by name, places and terminals by
name, screens, operations and authentication events in Japanese, times in 和暦 — not the
internal codes the logs store.

The logs themselves keep the codes (they are evidence and must not change when a name does);
this module only translates for reading.  A code without a known label is shown as it is, so
nothing is ever hidden from the auditor.  Operators, places and terminals are looked up by
model name (``accounts``, the same layer, imports this app: no import back)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime

from django.apps import apps
from django.contrib.auth import get_user_model
from django.utils import timezone

from jumin.conf.domain import era_table
from jumin.core.errors import DomainError
from jumin.core.wareki import format_seireki

# 画面・機能 (AccessLog.purpose): exact codes, then prefixes (the longest that matches)
PURPOSES = {
    "registry.person": "個人照会",
    "registry.person.archived": "個人照会（除票DB）",
    "registry.household": "世帯照会",
    "registry.movement": "異動の確認用帳票",
    "registry.entry": "異動の入力",
    "registry.marks": "支援措置・抑止の表示",
    "search.marks": "検索結果の支援措置・抑止の表示",
    "protection.inquiry": "照会抑止の確認",
    "protection.ending_soon": "支援措置の期間終了予定一覧",
    "certificates.issue": "証明書の交付",
    "certificates.preview": "証明書の見本",
    "certificates.reissue": "証明書の再交付",
    "certificates.history": "交付履歴",
    "certificates.overflow_list": "文字超過リスト",
    "cards.record_event": "個人番号カードの状態の記録",
    "jukinet.received_list": "住基ネットの受信一覧",
    "inspection.list": "閲覧用リスト",
    "api.resident": "連携API（住民）",
    "api.household": "連携API（世帯）",
    "api.history": "連携API（異動履歴）",
    "api.protection.measures": "連携API（支援措置の一覧）",
    "api.protection.measure": "連携API（支援措置）",
    "api.protection.marks": "連携API（支援措置・抑止の表示）",
    "api.protection.issuance_check": "連携API（交付の可否）",
    "api.protection.check": "連携API（支援措置の確認）",
    "api.protection.blocks": "連携API（抑止）",
}
PURPOSE_PREFIXES = {
    "search.": "住民検索",
    "registry.notice.": "通知書の印刷",
    "audit.": "監査ログの分析",
    "api.": "連携API",
    "jukinet.": "住基ネット",
    "certificates.": "証明書",
}

# 操作 (AccessLog.action, OperationLog.action)
ACTIONS = {
    "view": "照会",
    "search": "検索",
    "print": "印刷",
    "export": "書き出し",
    "list": "一覧",
    "audit": "監査",
    "marks": "表示",
    "check": "確認",
    "extract": "抽出",
    "refused": "拒否",
    "verify": "検証",
    "append": "追記",
    "movement.provisional": "異動の仮登録",
    "movement.final": "異動の本登録",
    "movement.discarded": "仮登録の取下げ",
    "memo.change": "メモの登録・変更",
    "memo.delete": "メモの削除",
    "registry.member_order": "世帯員の記載順位の変更",
    "registry.archive_removed": "除票DBへの移行",
    "registry.rebuild_projection": "現在の住民票の再構築",
    "registry.seed_city": "合成市の作成",
    "registry.clear": "住民記録の消去（試験用）",
    "block.alert_passed": "抑止（アラート）を確認して続行",
    "certificate.reissue": "証明書の再交付",
    "certificate.dispose": "証明書の処分",
    "inspection.receive": "閲覧申出の受付",
    "inspection.approve": "閲覧申出の審査",
    "inspection.visit": "閲覧の実施",
    "inspection.complete": "閲覧の完了",
    "search.variant_add": "異体字の追加",
    "search.variants_load": "異体字の読込み",
    "audit.purge": "ログの消去（保存期間経過）",
    "linkage.retry_requested": "連携の再送依頼",
    "cards.delivery_built": "送付先情報の作成",
    "cards.delivery_sent": "送付先情報の送信",
    "cards.delivery_purged": "送付先情報の消去",
    "cards.delivery_retry_requested": "送付先情報の再送依頼",
    "cards.event_recorded": "カードの状態の記録",
    "cards.event_refused": "カードの状態の記録（拒否）",
    "cards.events_sent": "カードの状態の送信",
    "jukinet.identity_built": "本人確認情報の作成",
    "jukinet.identity_purged": "本人確認情報の消去",
    "jukinet.initial_load": "住基ネットの初期移行",
    "jukinet.move_in_notice_assigned": "転入通知の突合",
    "jukinet.move_in_notice_unmatched": "転入通知（該当者なし）",
    "jukinet.move_in_notice_unrouted": "転入通知（宛先不明）",
    "jukinet.move_out_certificate_received": "転出証明書情報の受信",
    "jukinet.move_out_certificate_requested": "転出証明書情報の請求",
    "jukinet.move_out_certificate_unrouted": "転出証明書情報（宛先不明）",
    "jukinet.move_out_certificates_purged": "転出証明書情報の消去",
    "jukinet.protection_flags_built": "支援措置の通知の作成",
    "jukinet.reconciled": "整合性確認",
    "jukinet.retry_requested": "住基ネットの再送依頼",
    "jukinet.spare_codes_imported": "空きコードの取込",
    "jukinet.special_move_in_entered": "特例転入の入力",
    "jukinet.telegrams_sent": "住基ネットへの送信",
}

# 認証の事象 (AuthLog.event)
AUTH_EVENTS = {
    "login": "ログイン（パスワード）",
    "login_failed": "ログイン失敗",
    "locked": "ロック",
    "unlocked": "ロック解除",
    "logout": "ログアウト",
    "revoked": "失効",
    "screen_locked": "画面ロック",
    "screen_unlocked": "画面ロック解除",
    "second_factor_ok": "ログイン（二要素認証まで完了）",
    "second_factor_enrolled": "二要素認証の登録",
    "second_factor_reset": "二要素認証の再設定",
}

OPERATOR_COLUMNS = {"操作者・連携システム", "操作者", "利用者ID", "利用者ID（入力）"}
TIME_COLUMNS = {"日時", "最初", "最後"}


def purpose_label(code: str) -> str:
    if code in PURPOSES:
        return PURPOSES[code]
    for prefix in sorted(PURPOSE_PREFIXES, key=len, reverse=True):
        if code.startswith(prefix):
            return f"{PURPOSE_PREFIXES[prefix]}（{code.removeprefix(prefix)}）"
    return code


def action_label(code: str) -> str:
    return ACTIONS.get(code, code)


def auth_event_label(code: str) -> str:
    return AUTH_EVENTS.get(code, code)


def wareki_date(day: date) -> str:
    try:
        return era_table().format(day)
    except DomainError:
        return format_seireki(day)


def wareki_time(moment: datetime) -> str:
    """「令和8年11月26日 10時05分09秒」 in local time."""
    local = timezone.localtime(moment) if timezone.is_aware(moment) else moment
    return f"{wareki_date(local.date())} {local.hour}時{local.minute:02d}分{local.second:02d}秒"


class Names:
    """The display names of the operators, places and terminals in a set of rows (one query each)."""

    def __init__(self, usernames: Iterable[str], places: Iterable[str], terminals: Iterable[str]) -> None:
        wanted = {u for u in usernames if u}
        self.operators: dict[str, str] = dict(
            get_user_model().objects.filter(username__in=wanted).values_list("username", "display_name")
        )
        place, terminal = apps.get_model("accounts", "Place"), apps.get_model("accounts", "Terminal")
        self.places: dict[str, str] = dict(
            place.objects.filter(code__in={p for p in places if p}).values_list("code", "name")
        )
        self.terminals: dict[str, str] = dict(
            terminal.objects.filter(code__in={t for t in terminals if t}).values_list("code", "name")
        )

    def operator(self, username: str) -> str:
        """「上尾 花子（madoguchi）」; a linked system or an unknown ID as it is."""
        name = self.operators.get(username)
        return f"{name}（{username}）" if name else username

    def place(self, code: str) -> str:
        return self.places.get(code, code)

    def terminal(self, code: str) -> str:
        return self.terminals.get(code, code)


def _cell(column: str, value: object, names: Names) -> object:
    if isinstance(value, datetime):
        return wareki_time(value)
    if isinstance(value, date):
        return wareki_date(value)
    if not isinstance(value, str):
        return value
    if column in OPERATOR_COLUMNS:
        return names.operator(value)
    if column == "入力場所":
        return names.place(value)
    if column == "端末":
        return names.terminal(value)
    if column == "画面・機能":
        return purpose_label(value)
    if column == "操作":
        return action_label(value)
    return value


def present(columns: Sequence[str], rows: Sequence[Sequence[object]]) -> list[list[object]]:
    """The rows as the auditor reads them (screen and CSV)."""

    def values(column: str) -> list[str]:
        if column not in columns:
            return []
        index = columns.index(column)
        return [str(row[index]) for row in rows]

    names = Names(
        [v for c in OPERATOR_COLUMNS for v in values(c)],
        values("入力場所"),
        values("端末"),
    )
    return [[_cell(column, value, names) for column, value in zip(columns, row, strict=True)] for row in rows]
