from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_safe

from .models import Article


@require_safe
def article_detail(request: HttpRequest, slug: str) -> HttpResponse:
    """The article as a reader: its body with every quote highlighted and attributed."""
    article = get_object_or_404(Article.objects.for_detail(), slug=slug)
    return render(request, "articles/article_detail.html", {"article": article, "body": article.body_segments()})
