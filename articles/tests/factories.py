import datetime

import factory

from articles.models import Article, ExternalSource, Outlet, Quote

BODY = (
    "The mission is moving north. “Mali is in the forefront,” said Jeff Laurenti, an analyst. "
    "The most recent assault, on Jan. 17, occurred at the mission’s base in Kidal, killing a Chadian peacekeeper."
)


class OutletFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Outlet
        django_get_or_create = ["slug"]

    name = factory.Sequence(lambda n: f"Outlet {n}")
    slug = factory.Sequence(lambda n: f"outlet-{n}")
    kind = Outlet.Kind.NEWS_SITE
    country = "US"
    acled_source_scale = "International"


class ArticleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Article

    title = factory.Sequence(lambda n: f"Article {n}")
    slug = factory.Sequence(lambda n: f"article-{n}")
    outlet = factory.SubFactory(OutletFactory)
    body = BODY
    date_from = datetime.date(2015, 1, 18)
    date_to = datetime.date(2015, 1, 31)
    date_precision = "days"
    date_reasoning = "After the Jan. 17 attack it reports."


class QuoteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Quote

    article = factory.SubFactory(ArticleFactory)
    speaker = factory.SubFactory("actors.tests.factories.ActorFactory")
    speaker_role = "an American analyst"
    text = "Mali is in the forefront,"


class ExternalSourceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ExternalSource

    title = factory.Sequence(lambda n: f"Report {n}")
    slug = factory.Sequence(lambda n: f"report-{n}")
    publisher = "Human Rights Watch"
    published = datetime.date(2022, 4, 5)
    url = factory.Sequence(lambda n: f"https://www.example.org/reports/{n}")
