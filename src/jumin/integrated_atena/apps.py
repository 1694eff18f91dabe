from django.apps import AppConfig

from jumin.linkage.destinations import destinations


class IntegratedAtenaConfig(AppConfig):
    name = "jumin.integrated_atena"
    label = "integrated_atena"
    verbose_name = "団体内統合宛名"

    def ready(self) -> None:
        destinations.register("jumin.linkage.systems.ATENA")  # the 宛名連携 feed (7.2.1)
