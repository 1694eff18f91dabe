from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "jumin.web"
    label = "web"
    verbose_name = "画面共通"
