from django.apps import AppConfig


class AddressesConfig(AppConfig):
    name = "jumin.addresses"
    label = "addresses"
    verbose_name = "住所辞書・方書"
