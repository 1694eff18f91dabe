from importlib import import_module

from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "jumin.web"
    label = "web"
    verbose_name = "画面共通"

    def ready(self) -> None:
        # The production rules (second factor on, TLS to national systems): jumin.E001, E002.
        import_module("jumin.conf.checks")
