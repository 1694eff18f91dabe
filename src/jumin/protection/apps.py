from django.apps import AppConfig


class ProtectionConfig(AppConfig):
    name = "jumin.protection"
    label = "protection"
    verbose_name = "支援措置・抑止"
