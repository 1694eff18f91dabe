"""特例転入 screens (``/jukinet/special/``): the 特例転入予定者一覧, the 送信依頼 and the 転入 made
from a 転出証明書情報."""

from django.urls import path

from jumin.jukinet import special_views

app_name = "jukinet_special"
urlpatterns = [
    path("", special_views.index, name="index"),
    path("request/", special_views.send_request, name="request"),
    path("<int:pk>/move-in/", special_views.move_in, name="move_in"),
]
