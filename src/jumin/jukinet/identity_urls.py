"""/jukinet/identity/: 本人確認 and 本人確認情報検索 (jumin.jukinet.identity_views), 本人確認情報照会
to the 全国サーバ / 都道府県サーバ (jumin.jukinet.server_query_views)."""

from django.urls import path

from jumin.jukinet import identity_views, server_query_views

app_name = "identity"
urlpatterns = [
    path("", identity_views.check, name="check"),
    path("search/", identity_views.search, name="search"),
    path("servers/", server_query_views.servers, name="servers"),
]
