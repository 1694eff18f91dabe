from django.urls import path

from jumin.protection import views

app_name = "protection"
urlpatterns = [
    path("", views.index, name="index"),
    path("measures/new/", views.measure_new, name="measure_new"),
    path("notices/end/", views.end_notices, name="end_notices"),
    path("measures/<str:measure_no>/", views.measure, name="measure"),
    path("measures/<str:measure_no>/<slug:action>/", views.measure_action, name="measure_action"),
    path("blocks/", views.blocks, name="blocks"),
    path("blocks/new/", views.block_new, name="block_new"),
    path("blocks/<int:block_id>/<slug:action>/", views.block_action, name="block_action"),
    path("person/<str:atena_no>/", views.person, name="person"),
    path("inquiry-alerts/", views.inquiry_alert, name="inquiry_alert"),
]
