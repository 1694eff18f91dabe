from django.urls import path

from jumin.applications import views

app_name = "applications"
urlpatterns = [
    path("", views.index, name="index"),
    path("status/", views.bulk_status, name="status"),
    path("<str:application_id>/", views.detail, name="detail"),
    path("<str:application_id>/attachments/<int:index>/", views.attachment, name="attachment"),
    path("<str:application_id>/move-out/", views.move_out, name="move_out"),
    path("<str:application_id>/move-in/<int:pk>/", views.move_in, name="move_in"),
]
