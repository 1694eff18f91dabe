from django.urls import path

from jumin.search import views

app_name = "search"
urlpatterns = [
    path("", views.index, name="index"),
    path("history/<int:history_id>/", views.history_edit, name="history_edit"),
    path("variants/", views.variant_list, name="variants"),
]
