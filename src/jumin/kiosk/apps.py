from django.apps import AppConfig

from jumin.linkage.destinations import destinations


class KioskConfig(AppConfig):
    name = "jumin.kiosk"
    label = "kiosk"
    verbose_name = "コンビニ交付（証明書発行サーバ）"

    def ready(self) -> None:
        destinations.register("jumin.linkage.systems.KONBINI")  # kiosk data (jumin.kiosk.services.sync)
