from django.apps import AppConfig


class RuntimeConfig(AppConfig):
    name = "jumin.runtime"
    label = "runtime"
    verbose_name = "運用（サーバ・定時処理・バックアップ）"
