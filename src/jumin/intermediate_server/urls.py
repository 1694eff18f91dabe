from django.urls import path

from jumin.intermediate_server import views

app_name = "number_exchange"
urlpatterns = [
    path("", views.index, name="index"),
    path("deferred/", views.deferred, name="deferred"),
    path("deferred/<str:inquiry_id>/", views.deferred_answer, name="deferred_answer"),
    path("disclosure/", views.disclosure, name="disclosure"),
    path("disclosure/pdf/", views.disclosure_pdf, name="disclosure_pdf"),
    path("grants/", views.grants, name="grants"),
    path("grants/<int:grant_id>/revoke/", views.revoke, name="revoke"),
]
