"""/jukinet/identity/: 本人確認 and 本人確認情報検索 (jumin.jukinet.identity_views)."""

from django.urls import path

from jumin.jukinet import identity_views

app_name = "identity"
urlpatterns = [
    path("", identity_views.check, name="check"),
    path("search/", identity_views.search, name="search"),
]
