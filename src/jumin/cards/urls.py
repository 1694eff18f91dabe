from django.urls import path

from jumin.cards import views

app_name = "cards"
urlpatterns = [
    path("<str:atena_no>/event/", views.record_event, name="record_event"),
]
