from django.urls import path

from jumin.immigration import views

app_name = "immigration"
urlpatterns = [
    path("", views.index, name="index"),
    path("run/", views.run, name="run"),
]
