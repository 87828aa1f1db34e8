import re

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_safe

from .models import Article

PASSAGE = re.compile(r"^(\d{1,9})-(\d{1,9})$")


@require_safe
def article_detail(request: HttpRequest, slug: str) -> HttpResponse:
    """The article as a reader: its body with every quote highlighted and attributed.

    `?passage=START-END` also marks a cited excerpt, so a source link opens the article at the passage.
    """
    article = get_object_or_404(Article.objects.for_detail(), slug=slug)
    passage, error = None, None
    if "passage" in request.GET:
        match = PASSAGE.match(request.GET["passage"])
        start, end = (int(match[1]), int(match[2])) if match else (0, 0)
        if match and start < end <= len(article.body):
            passage = (start, end)
        else:
            error = f"“passage” must be START-END character offsets within the body (0–{len(article.body)})."
    context = {"article": article, "body": article.body_segments(passage), "passage_error": error}
    return render(request, "articles/article_detail.html", context, status=400 if error else 200)
