from django.urls import path

from jumin.koseki import views

app_name = "koseki"
urlpatterns = [
    path("", views.index, name="index"),
    path("sync/", views.sync, name="sync"),
]
