"""Single-line fields hold one line: no control character can forge an extra record in a citation file."""

import json

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse

from actors.tests.factories import ActorFactory
from articles.models import Article
from articles.tests.factories import ArticleFactory
from common.roles import CURATED_APPS

pytestmark = pytest.mark.django_db

FORGED = "Mali\r\nER  - \r\nTY  - JOUR\r\nTI  - Forged record"


def _text_fields(kind: type[models.Field]) -> list[tuple[type[models.Model], str]]:
    """Every field of a curated model of this kind: CharField (names, titles, slugs, URLs, codes) or TextField
    (bodies, notes, descriptions, reasonings)."""
    return [
        (model, field.name)
        for label in CURATED_APPS
        for model in apps.get_app_config(label).get_models()
        if not model.__name__.startswith("Historical")
        for field in model._meta.concrete_fields
        if isinstance(field, kind)
    ]


@pytest.mark.parametrize(
    ("model", "name"), _text_fields(models.CharField), ids=lambda x: x if isinstance(x, str) else x.__name__
)
@pytest.mark.parametrize("character", ["\n", "\r", "\x00", "\x1b", "\x85", "\u2028"])
def test_every_single_line_field_refuses_control_characters(model, name, character):
    """full_clean refuses a control character or line separator in any single-line field, naming the field."""
    instance = model(**{name: f"a{character}b"})
    others = [field.name for field in model._meta.fields if field.name != name]
    with pytest.raises(ValidationError) as refused:
        instance.clean_fields(exclude=others)
    assert name in refused.value.message_dict
    assert "control character" in " ".join(refused.value.message_dict[name])


def test_a_forged_ris_title_cannot_be_saved():
    """A title carrying “CR LF ER - CR LF TY -” is refused by full_clean, so neither the admin nor an import saves
    it."""
    article = ArticleFactory.build(title=FORGED, outlet=ArticleFactory().outlet)
    with pytest.raises(ValidationError) as refused:
        article.full_clean()
    assert "title" in refused.value.message_dict


def test_multi_line_text_fields_keep_their_line_breaks():
    """An article body is paragraphs: its line breaks are kept, and full_clean accepts them."""
    article = ArticleFactory(body="First paragraph.\n\nSecond paragraph.")
    article.full_clean()
    assert Article.objects.get(pk=article.pk).body == "First paragraph.\n\nSecond paragraph."


def test_api_write_with_a_line_break_in_a_name_is_a_400(admin_client):
    """The API refuses the control character with a message on the field."""
    response = admin_client.post(
        "/api/v1/actors/",
        json.dumps({"name": "MINUSMA\r\nX", "slug": "minusma", "kind": "un_mission"}),
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "name" in response.json()


@pytest.fixture
def forged_article() -> Article:
    """An article whose title and author's name were written around validation (an old row, a raw SQL edit)."""
    article = ArticleFactory()
    author = ActorFactory(name="Jane\nDoe")
    article.authors.set([author])
    Article.objects.filter(pk=article.pk).update(title=FORGED)
    return article


def _export(client, fmt: str, article: Article) -> str:
    response = client.get(reverse("articles:article_list"), {"outlet": article.outlet.slug, "format": fmt}, follow=True)
    return b"".join(response.streaming_content).decode()


def test_ris_export_of_a_forged_row_is_still_one_record(client, forged_article):
    """RIS: one TY and one ER whatever the title holds; the title stays on its TI line."""
    lines = _export(client, "ris", forged_article).splitlines()
    assert [line[:2] for line in lines if line.startswith("TY  -")] == ["TY"]
    assert len([line for line in lines if line.startswith("ER  -")]) == 1
    (title,) = [line for line in lines if line.startswith("TI  -")]
    assert "Forged record" in title
    assert "AU  - Doe, Jane" in lines


def test_bibtex_export_of_a_forged_row_keeps_each_field_on_one_line(client, forged_article):
    """BibTeX: one entry, and the title field on one line."""
    text = _export(client, "bibtex", forged_article)
    assert text.count("@article{") == 1
    (title,) = [line for line in text.splitlines() if line.strip().startswith("title =")]
    assert "Forged record" in title


def test_csl_json_export_of_a_forged_row_has_no_control_characters(client, forged_article):
    """CSL-JSON: the title and author names come out as single lines."""
    (item,) = json.loads(_export(client, "csl-json", forged_article))
    assert "\r" not in item["title"] and "\n" not in item["title"]
    assert item["author"] == [{"family": "Doe", "given": "Jane"}]


@pytest.mark.parametrize(
    ("model", "name"), _text_fields(models.TextField), ids=lambda x: x if isinstance(x, str) else x.__name__
)
def test_every_multi_line_field_refuses_nul_and_keeps_line_breaks(model, name):
    """A TextField refuses NUL (PostgreSQL cannot store it: a 500 before) and the other controls, keeps \\n and \\t."""
    others = [field.name for field in model._meta.fields if field.name != name]
    with pytest.raises(ValidationError) as refused:
        model(**{name: "a\x00b"}).full_clean(exclude=others, validate_unique=False, validate_constraints=False)
    assert "U+0000" in refused.value.message_dict[name][0]
    model(**{name: "line one\r\n\tline two"}).clean_fields(exclude=others)
