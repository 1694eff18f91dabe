from django.apps import AppConfig

from jumin.linkage.destinations import destinations
from jumin.linkage.queue_types import queues
from jumin.registry import hooks
from jumin.retention.rules import retention_rules


class KosekiConfig(AppConfig):
    name = "jumin.koseki"
    label = "koseki"
    verbose_name = "戸籍の附票連携・戸籍の通知"

    def ready(self) -> None:
        destinations.register("jumin.linkage.systems.FUHYO")  # 附票記載事項通知 (jumin.koseki.fuhyo.collect)
        queues.register("jumin.koseki.queues.FUHYO_NOTICES")
        hooks.final_actions.register("jumin.koseki.notices.movement_final")
        hooks.discard_actions.register("jumin.koseki.notices.movement_discarded")
        retention_rules.register("jumin.koseki.retention.KOSEKI_NOTICES")
        retention_rules.register("jumin.koseki.retention.FUHYO_SENT")
