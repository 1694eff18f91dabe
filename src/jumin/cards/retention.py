"""送付先情報's retention rule (jumin.retention): deleted one business day after sending."""

from __future__ import annotations

from datetime import datetime

from jumin.cards.services import purge_sent
from jumin.retention.rules import Rule

DELIVERY_INFO = Rule(
    key="delivery_info",
    label="送付先情報（個人番号カード）",
    period="送信の1営業日後まで",
    basis="特定個人情報保護評価書（送付先情報ファイル: 保管しない）",
    purge="jumin.cards.retention.purge",
)


def purge(now: datetime) -> dict[str, int]:
    return {"deleted": purge_sent(now)}
