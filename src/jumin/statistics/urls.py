from django.urls import path

from jumin.statistics import views

app_name = "statistics"
urlpatterns = [
    path("", views.index, name="index"),
    path("movements/", views.movements, name="movements"),
    path("population/", views.population, name="population"),
    path("population/pyramid.png", views.pyramid, name="pyramid"),
    path("survey/", views.survey, name="survey"),
    path("export/<str:report>.<str:fmt>", views.export, name="export"),
]
