from django.urls import path

from . import views

app_name = "actors"

urlpatterns = [
    path("actors/<slug:slug>/", views.actor_detail, name="actor_detail"),
    path("contingents/<slug:slug>/", views.contingent_detail, name="contingent_detail"),
]
