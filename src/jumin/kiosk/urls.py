from django.urls import path

from jumin.kiosk import views

app_name = "kiosk"
urlpatterns = [
    path("", views.index, name="index"),
    path("reconcile/", views.reconcile, name="reconcile"),
]
