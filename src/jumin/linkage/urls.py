from django.urls import path

from jumin.linkage import views

app_name = "linkage"
urlpatterns = [
    path("", views.index, name="index"),
    path("retry/", views.retry, name="retry"),
]
