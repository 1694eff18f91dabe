from django.apps import AppConfig


class RegistryConfig(AppConfig):
    name = "jumin.registry"
    label = "registry"
    verbose_name = "住民記録"
