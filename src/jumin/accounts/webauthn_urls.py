"""django-otp-webauthn's endpoints with jumin's views (same names, same namespace)."""

from django.urls import path

from jumin.accounts import webauthn

app_name = "otp_webauthn"

urlpatterns = [
    path("registration/begin/", webauthn.BeginRegistration.as_view(), name="credential-registration-begin"),
    path("registration/complete/", webauthn.CompleteRegistration.as_view(), name="credential-registration-complete"),
    path("authentication/begin/", webauthn.BeginAuthentication.as_view(), name="credential-authentication-begin"),
    path(
        "authentication/complete/",
        webauthn.CompleteAuthentication.as_view(),
        name="credential-authentication-complete",
    ),
    path("jsi18n/", webauthn.JapaneseCatalog.as_view(), name="js-i18n-catalog"),
]
