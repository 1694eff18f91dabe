from django.urls import path

from jumin.accounts import views

app_name = "accounts"
urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", views.LogoutView.as_view(), name="logout"),
    path("terminal/enroll/", views.enroll, name="enroll"),
    path("verify/", views.verify, name="verify"),
    path("second-factor/", views.second_factor_setup, name="second_factor_setup"),
    path("lock/", views.lock, name="lock"),
    path("unlock/", views.unlock, name="unlock"),
]
