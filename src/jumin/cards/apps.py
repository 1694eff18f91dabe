from django.apps import AppConfig


class CardsConfig(AppConfig):
    name = "jumin.cards"
    label = "cards"
    verbose_name = "個人番号カード（送付先情報・カード状況）"
