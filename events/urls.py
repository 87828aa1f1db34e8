from django.urls import path

from . import views

app_name = "events"

urlpatterns = [
    path("incidents/", views.IncidentListView.as_view(), name="incident_list"),
    path("places/", views.PlaceListView.as_view(), name="place_list"),
    path("figures/", views.FigureListView.as_view(), name="figure_list"),
    path("incidents/<slug:slug>/", views.incident_detail, name="incident_detail"),
    path("incidents/<slug:slug>/cite/", views.incident_citation, name="incident_citation"),
    path("places/<slug:slug>/", views.place_detail, name="place_detail"),
    path("figures/<int:pk>/", views.figure_detail, name="figure_detail"),
    path("map/", views.incident_map, name="incident_map"),
    path("map/incidents.geojson", views.incident_map_geojson, name="incident_map_geojson"),
    path("timeline/", views.incident_timeline, name="incident_timeline"),
]
