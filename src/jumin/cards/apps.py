from django.apps import AppConfig

from jumin.linkage.destinations import destinations
from jumin.linkage.queue_types import queues
from jumin.registry import hooks
from jumin.retention.rules import retention_rules


class CardsConfig(AppConfig):
    name = "jumin.cards"
    label = "cards"
    verbose_name = "個人番号カード（送付先情報・カード状況）"

    def ready(self) -> None:
        hooks.card_holders.register("jumin.cards.services.holders_of_active_cards")
        destinations.register("jumin.linkage.systems.JUKINET_CS")  # 送付先情報 (collect_assignments)
        queues.register("jumin.cards.queues.DELIVERY_INFO")
        queues.register("jumin.cards.queues.CARD_EVENTS")
        retention_rules.register("jumin.cards.retention.DELIVERY_INFO")
