from django.apps import AppConfig

from jumin.linkage.destinations import destinations
from jumin.linkage.queue_types import queues
from jumin.registry import hooks
from jumin.retention.rules import retention_rules


class JukinetConfig(AppConfig):
    name = "jumin.jukinet"
    label = "jukinet"
    verbose_name = "住基ネット連携（市町村CS）"

    def ready(self) -> None:
        for module in ("jumin.jukinet.move_out_certificates", "jumin.jukinet.notices"):
            hooks.final_actions.register(f"{module}.movement_final")
            hooks.discard_actions.register(f"{module}.movement_discarded")
        destinations.register("jumin.linkage.systems.JUKINET_CS")  # 本人確認情報 and 発行抑止 flags
        queues.register("jumin.jukinet.queues.TELEGRAMS")
        for rule in ("IDENTITY_RECORDS", "MOVE_OUT_CERTIFICATES"):
            retention_rules.register(f"jumin.jukinet.retention.{rule}")
