from django.apps import AppConfig

from jumin.linkage.destinations import destinations
from jumin.retention.rules import retention_rules


class IntermediateServerConfig(AppConfig):
    name = "jumin.intermediate_server"
    label = "intermediate_server"
    verbose_name = "中間サーバー（情報提供ネットワーク）"

    def ready(self) -> None:
        destinations.register("jumin.linkage.systems.PROVISION_COPY")  # 副本 of 住民票関係情報
        retention_rules.register("jumin.intermediate_server.retention.PROVISION_RECORDS")
