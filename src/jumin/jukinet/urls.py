from django.urls import include, path

from jumin.jukinet import views

app_name = "jukinet"
urlpatterns = [
    path("", views.index, name="index"),
    path("telegrams/<int:telegram_id>/retry/", views.retry, name="retry"),
    path("telegrams/<int:telegram_id>/resend/", views.resend_with_reason, name="resend"),
    path("delivery/<int:delivery_id>/retry/", views.delivery_retry, name="delivery_retry"),
    path("sent/", views.sent, name="sent"),
    path("received/", views.received, name="received"),
    path("received/<int:notice_id>/assign/", views.assign, name="assign"),
    path("cards/", include("jumin.cards.urls")),
]
