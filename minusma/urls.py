from django.contrib import admin
from django.urls import include, path

from . import views

admin.site.site_header = "MINUSMA research database — curation"
admin.site.site_title = "MINUSMA curation"
admin.site.index_title = "Curate articles, actors and events"

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.health, name="health"),
    path("search/", views.search_page, name="search"),
    path("downloads/", views.data_downloads, name="data_downloads"),
    # Browsers and feed readers ask for /favicon.ico whatever the page's <link rel="icon"> says.
    path("favicon.ico", views.favicon, name="favicon"),
    path("suggest/<slug:kind>/", views.suggest, name="suggest"),
    path("admin/", admin.site.urls),
    path("api/v1/", include("minusma.api")),
    path("", include("articles.urls")),
    path("", include("actors.urls")),
    path("", include("events.urls")),
]

handler404 = "minusma.views.not_found"
