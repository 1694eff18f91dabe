from django.urls import path

from jumin.accounts import admin_views, views

app_name = "accounts"
urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", views.LogoutView.as_view(), name="logout"),
    path("terminal/enroll/", views.enroll, name="enroll"),
    path("verify/", views.verify, name="verify"),
    path("second-factor/", views.second_factor_setup, name="second_factor_setup"),
    path("lock/", views.lock, name="lock"),
    path("unlock/", views.unlock, name="unlock"),
    path("users/", admin_views.user_list, name="users"),
    path("users/<str:username>/", admin_views.user_detail, name="user"),
    path("users/<str:username>/unlock/", admin_views.user_unlock, name="user_unlock"),
    path("users/<str:username>/reset-second-factor/", admin_views.user_reset_second_factor, name="user_reset_2fa"),
    path("users/<str:username>/revoke/", admin_views.user_revoke, name="user_revoke"),
]
