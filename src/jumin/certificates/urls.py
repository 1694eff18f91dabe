from django.urls import path

from jumin.certificates import views

app_name = "certificates"
urlpatterns = [
    path("", views.index, name="index"),
    path("history/", views.history_view, name="history"),
    path("history/<int:pk>/reissue/", views.reissue, name="reissue"),
    path("history/<int:pk>/dispose/", views.dispose, name="dispose"),
    path("history/<int:pk>/overflow/", views.overflow, name="overflow"),
    path("certifiers/", views.certifiers, name="certifiers"),
]
