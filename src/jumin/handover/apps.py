from django.apps import AppConfig


class HandoverConfig(AppConfig):
    name = "jumin.handover"
    label = "handover"
    verbose_name = "データ移行（中間標準レイアウト）"
