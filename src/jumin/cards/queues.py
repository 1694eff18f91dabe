"""The queues to the 個人番号カード管理システム on the 連携状況 screen (``jumin.linkage.queues``)."""

from __future__ import annotations

from jumin.cards.models import CardEventDelivery, DeliveryInfo
from jumin.cards.services import send_card_events, send_delivery_info
from jumin.linkage.queue_types import Sent
from jumin.linkage.queues import DeliveryQueue


def send_deliveries() -> Sent:
    result = send_delivery_info()
    return Sent(result.sent, result.failed, result.skipped)


def send_events() -> Sent:
    result = send_card_events()
    return Sent(result.sent, result.failed, result.skipped)


def _delivery_label(info: DeliveryInfo) -> str:
    return f"送付先管理番号 {info.management_no}"


def _event_label(delivery: CardEventDelivery) -> str:
    return f"事象番号 {delivery.event_id}"


DELIVERY_INFO = DeliveryQueue(
    name="cards.delivery_info",
    label="個人番号カード管理システム（送付先情報）",
    model="cards.DeliveryInfo",
    created="built_at",
    sender="jumin.cards.queues.send_deliveries",
    row_label=_delivery_label,
)
CARD_EVENTS = DeliveryQueue(
    name="cards.card_events",
    label="個人番号カード管理システム（カードの事象）",
    model="cards.CardEventDelivery",
    created="event__recorded_at",
    sender="jumin.cards.queues.send_events",
    row_label=_event_label,
)
