from django.apps import AppConfig


class IntegratedAtenaConfig(AppConfig):
    name = "jumin.integrated_atena"
    label = "integrated_atena"
    verbose_name = "団体内統合宛名"
