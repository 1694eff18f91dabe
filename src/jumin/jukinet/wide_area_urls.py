"""/jukinet/wide-area/: 広域交付 at our counter and its 送信/受信一覧表 (jumin.jukinet.wide_area_views)."""

from django.urls import path

from jumin.jukinet import wide_area_views

app_name = "jukinet_wide_area"
urlpatterns = [path("", wide_area_views.index, name="index")]
