from django.urls import path

from . import views

app_name = "articles"

urlpatterns = [
    path("articles/", views.ArticleListView.as_view(), name="article_list"),
    path("quotes/", views.QuoteListView.as_view(), name="quote_list"),
    path("articles/<slug:slug>/", views.article_detail, name="article_detail"),
]
