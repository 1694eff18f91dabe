from django.apps import AppConfig

from jumin.linkage.destinations import destinations
from jumin.linkage.queue_types import queues
from jumin.registry import hooks
from jumin.retention.rules import retention_rules


class ImmigrationConfig(AppConfig):
    name = "jumin.immigration"
    label = "immigration"
    verbose_name = "出入国在留管理庁との連携（法務省通知・市町村通知）"

    def ready(self) -> None:
        hooks.final_actions.register("jumin.immigration.inbound.movement_final")
        hooks.discard_actions.register("jumin.immigration.inbound.movement_discarded")
        destinations.register("jumin.linkage.systems.IMMIGRATION")  # 市町村通知 (jumin.immigration.outbound)
        queues.register("jumin.immigration.outbound.NOTICES")
        retention_rules.register("jumin.immigration.retention.IMMIGRATION_NOTICES")
