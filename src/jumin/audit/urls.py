from django.urls import path

from jumin.audit import views

app_name = "audit"
urlpatterns = [
    path("", views.index, name="index"),
    path("<slug:slug>/", views.report, name="report"),
]
