from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "jumin.accounts"
    label = "accounts"
    verbose_name = "利用者・端末"
