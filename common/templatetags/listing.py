"""Template helpers of the list pages."""

from django import template

register = template.Library()


@register.simple_tag(takes_context=True)
def query_with(context, name: str, value: str) -> str:
    """This page's address with the parameter `name` set to `value`, from its first page: a candidate a filter's
    error offers (“Kidal” names two places: this one, that one)."""
    request = context["request"]
    params = request.GET.copy()
    params.pop("page", None)
    params[name] = value
    return f"{request.path}?{params.urlencode()}"
