from django.apps import AppConfig


class ConformanceConfig(AppConfig):
    name = "jumin.conformance"
    label = "conformance"
    verbose_name = "標準仕様適合"
