from django.apps import AppConfig


class SearchConfig(AppConfig):
    name = "jumin.search"
    label = "search"
    verbose_name = "検索"
