from django.urls import path

from jumin.inspection import views

app_name = "inspection"
urlpatterns = [
    path("", views.index, name="index"),
    path("requests/new/", views.request_new, name="request_new"),
    path("requests/<str:request_no>/", views.request_detail, name="request"),
    path("requests/<str:request_no>/decision/", views.request_decide, name="decide"),
    path("requests/<str:request_no>/list/", views.request_list, name="list"),
    path("requests/<str:request_no>/visits/", views.request_visit, name="visit"),
    path("requests/<str:request_no>/complete/", views.request_complete, name="complete"),
    path("publication/", views.publication, name="publication"),
]
