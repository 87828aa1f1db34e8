from django.urls import path

from . import views

app_name = "actors"

urlpatterns = [
    path("actors/", views.ActorListView.as_view(), name="actor_list"),
    path("contingents/", views.ContingentListView.as_view(), name="contingent_list"),
    path("actors/<slug:slug>/", views.actor_detail, name="actor_detail"),
    path("contingents/<slug:slug>/", views.contingent_detail, name="contingent_detail"),
]
