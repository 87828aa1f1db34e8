"""The forms a curator edits a suggestion in before accepting it, one per kind, prefilled with the proposed values.

Choices (actors, places, incidents, contingents) come from a `Choices` built once per page, so rendering a long
list of suggestions costs no query per form; a chosen id is looked up once, on accepting.
"""

from dataclasses import dataclass

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.text import slugify

from actors.models import Actor, ActorKind, Contingent, Qualifier, StrengthObservation
from articles.models import ActorMention, Article, PlaceMention, Quote
from common.fuzzydates import DatePrecision
from events import vocabularies as vocab
from events.models import Casualty, Figure, Incident, IncidentActor, IncidentSource, Place

from .services import save_record
from .suggestion import Kind, Suggestion

EMPTY = [("", "—")]


@dataclass
class Choices:
    actors: list[tuple[str, str]]
    places: list[tuple[str, str]]
    incidents: list[tuple[str, str]]
    contingents: list[tuple[str, str]]

    @classmethod
    def for_article(cls, article: Article, suggestions: list[Suggestion]) -> "Choices":
        """The actors and places the body names (from the suggestions, no query), the incidents the article is
        cited for and the contingents (two queries)."""
        actors: dict[int, str] = {}
        places: dict[int, str] = {}
        for suggestion in suggestions:
            values = suggestion.values
            if values.get("actor"):
                actors[values["actor"]] = values["actor_name"]
            for candidate in values.get("candidates", []):
                if candidate.get("actor"):
                    actors[candidate["actor"]] = candidate["actor_name"]
                if candidate.get("place"):
                    places[candidate["place"]] = candidate["place_name"]
            if values.get("place"):
                places[values["place"]] = values["place_name"]
        incidents = Incident.objects.filter(sources__source=article).distinct().order_by("-date_from", "title")
        contingents = Contingent.objects.order_by("country_name", "capability")[:500]
        return cls(
            actors=EMPTY + sorted(((str(pk), name) for pk, name in actors.items()), key=lambda item: item[1]),
            places=EMPTY + sorted(((str(pk), name) for pk, name in places.items()), key=lambda item: item[1]),
            incidents=EMPTY + [(str(pk), title) for pk, title in incidents.values_list("pk", "title")],
            contingents=EMPTY + [(str(contingent.pk), str(contingent)) for contingent in contingents],
        )


def _lookup(model: type[models.Model], value: str, field: str) -> models.Model | None:
    if not value:
        return None
    found = model._default_manager.filter(pk=value).first()
    if found is None:
        raise ValidationError({field: f"No such {model._meta.verbose_name}: choose one from the list."})
    return found


def _unique_slug(model: type[models.Model], text: str) -> str:
    base = slugify(text)[:180] or "record"
    slug, number = base, 2
    while model._default_manager.filter(slug=slug).exists():
        slug, number = f"{base}-{number}", number + 1
    return slug


class AcceptForm(forms.Form):
    """A suggestion's record, editable. `create(article, suggestion, user)` builds and saves it."""

    def __init__(self, *args, suggestion: Suggestion, choices: Choices, **kwargs):
        kwargs.setdefault("prefix", suggestion.fingerprint[:12])
        kwargs.setdefault("initial", self.proposed(suggestion))
        super().__init__(*args, **kwargs)
        self.suggestion = suggestion
        self.choices = choices
        self.setup(choices)

    def setup(self, choices: Choices) -> None:
        pass

    @staticmethod
    def proposed(suggestion: Suggestion) -> dict:
        return {}

    # The permissions accepting needs, besides changing the article.
    permissions: tuple[str, ...] = ()

    def create(self, *, article: Article, user) -> models.Model | None:
        raise NotImplementedError


class QuoteForm(AcceptForm):
    permissions = ("articles.add_quote",)
    text = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), strip=False, help_text="Verbatim, without marks.")
    speaker = forms.ChoiceField(required=False, help_text="An actor the article names.")
    speaker_description = forms.CharField(required=False, help_text="For an unnamed source: how the article says it.")
    speaker_role = forms.CharField(required=False)

    def setup(self, choices):
        self.fields["speaker"].choices = choices.actors

    @staticmethod
    def proposed(suggestion):
        values = suggestion.values
        return {
            "text": suggestion.text,
            "speaker": values.get("actor", ""),
            "speaker_description": values.get("speaker_description", ""),
        }

    def create(self, *, article, user):
        data = self.cleaned_data
        quote = Quote(
            article=article,
            speaker=_lookup(Actor, data["speaker"], "speaker"),
            speaker_description=data["speaker_description"],
            speaker_role=data["speaker_role"],
            text=data["text"],
            text_start=self.suggestion.start,
        )
        return save_record(quote, user=user)


class MentionForm(AcceptForm):
    record = forms.ChoiceField()
    model: type[models.Model] = Actor

    def setup(self, choices):
        self.fields["record"].choices = choices.actors if self.model is Actor else choices.places
        self.fields["record"].label = "Actor" if self.model is Actor else "Place"

    def create(self, *, article, user):
        record = _lookup(self.model, self.cleaned_data["record"], "record")
        if self.model is Actor:
            mention = ActorMention(actor=record, source=article)
        else:
            mention = PlaceMention(place=record, source=article)
        mention.excerpt, mention.excerpt_start = self.suggestion.text, self.suggestion.start
        return save_record(mention, user=user)


class ActorMentionForm(MentionForm):
    permissions = ("articles.add_actormention",)
    model = Actor

    @staticmethod
    def proposed(suggestion):
        return {"record": suggestion.values.get("actor", "")}


class PlaceMentionForm(MentionForm):
    permissions = ("articles.add_placemention",)
    model = Place

    @staticmethod
    def proposed(suggestion):
        return {"record": suggestion.values.get("place", "")}


NEW_RECORD_KINDS = [
    ("Actor", [(f"actor:{value}", label) for value, label in ActorKind.choices]),
    ("Place", [(f"place:{value}", label) for value, label in Place.Kind.choices]),
]
GUESSED = {"person": "actor:person", "organisation": "actor:organisation", "place": "place:city"}


class NameForm(AcceptForm):
    """Creates the actor or place the name is, with the passage naming it as its first mention."""

    name = forms.CharField(max_length=200)
    create_as = forms.ChoiceField(choices=NEW_RECORD_KINDS, label="Create as")

    @property
    def permissions(self):
        model = "place" if self.data.get(self.add_prefix("create_as"), "").startswith("place:") else "actor"
        if model == "place":
            return ("events.add_place", "articles.add_placemention")
        return ("actors.add_actor", "articles.add_actormention")

    @staticmethod
    def proposed(suggestion):
        return {
            "name": suggestion.values.get("name", suggestion.text),
            "create_as": GUESSED.get(suggestion.values.get("guessed_kind"), "actor:organisation"),
        }

    def create(self, *, article, user):
        model, kind = self.cleaned_data["create_as"].split(":", 1)
        name = self.cleaned_data["name"]
        queryset = Actor.objects if model == "actor" else Place.objects
        if existing := queryset.matching_folded_name(_fold(name)):
            raise ValidationError({"name": f"“{existing[0].name}” already has this name: accept its mention instead."})
        if model == "actor":
            record = save_record(Actor(name=name, slug=_unique_slug(Actor, name), kind=kind), user=user)
            mention = ActorMention(actor=record, source=article)
        else:
            place = Place(
                name=name,
                slug=_unique_slug(Place, name),
                kind=kind,
                coordinates_note="Created from intake; coordinates not looked up yet.",
            )
            record = save_record(place, user=user)
            mention = PlaceMention(place=record, source=article)
        mention.excerpt, mention.excerpt_start = self.suggestion.text, self.suggestion.start
        save_record(mention, user=user)
        return record


def _fold(name: str) -> str:
    from common.text import fold

    return fold(name)


class DatedForm(AcceptForm):
    date_as_written = forms.CharField(required=False, max_length=200)
    date_from = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_precision = forms.ChoiceField(choices=DatePrecision.choices)


def _sentence_date(suggestion: Suggestion) -> dict:
    date = suggestion.values.get("date") or {}
    return {key: date.get(key, "") for key in ("date_as_written", "date_from", "date_to")} | {
        "date_precision": date.get("date_precision", DatePrecision.UNKNOWN)
    }


RECORD_AS = [
    ("figure", "Figure"),
    ("casualty", "Casualty row (of an incident)"),
    ("strength_observation", "Strength observation (of a contingent)"),
]


class NumberForm(DatedForm):
    record_as = forms.ChoiceField(choices=RECORD_AS, label="Record as")
    excerpt = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), strip=False, help_text="Verbatim.")
    value = forms.DecimalField(max_digits=14, decimal_places=2, min_value=0)
    value_high = forms.DecimalField(max_digits=14, decimal_places=2, min_value=0, required=False)
    qualifier = forms.ChoiceField(choices=Qualifier.choices)
    unit = forms.CharField(max_length=20)
    quantity = forms.ChoiceField(choices=vocab.FigureQuantity.choices, help_text="For a figure.")
    subject = forms.ChoiceField(required=False, help_text="For a figure: what the number is about.")
    incident = forms.ChoiceField(required=False, help_text="For a casualty row.")
    category = forms.ChoiceField(choices=Casualty.Category.choices, required=False, help_text="For a casualty row.")
    outcome = forms.ChoiceField(choices=Casualty.Outcome.choices, required=False, help_text="For a casualty row.")
    contingent = forms.ChoiceField(required=False, help_text="For a strength observation.")

    def setup(self, choices):
        self.fields["subject"].choices = choices.actors
        self.fields["incident"].choices = choices.incidents
        self.fields["contingent"].choices = choices.contingents

    @property
    def permissions(self):
        record_as = self.data.get(self.add_prefix("record_as"), "figure")
        return {
            "casualty": ("events.add_casualty",),
            "strength_observation": ("actors.add_strengthobservation",),
        }.get(record_as, ("events.add_figure",))

    @staticmethod
    def proposed(suggestion):
        values = suggestion.values
        casualty = values.get("casualty", {})
        return {
            "record_as": values.get("offer_as", ["figure"])[0],
            "excerpt": suggestion.text,
            "value": values.get("value"),
            "value_high": values.get("value_high"),
            "qualifier": values.get("qualifier", "exact"),
            "unit": values.get("unit", "people")[:20],
            "quantity": values.get("quantity", "other"),
            "subject": values.get("subject", ""),
            "category": casualty.get("category", ""),
            "outcome": casualty.get("outcome", ""),
            **_sentence_date(suggestion),
        }

    def clean(self):
        data = super().clean()
        needs = {"figure": "subject", "casualty": "incident", "strength_observation": "contingent"}
        required = needs.get(data.get("record_as"))
        if required and not data.get(required):
            self.add_error(required, "Choose one to record the number as this.")
        if data.get("record_as") == "casualty" and not (data.get("category") and data.get("outcome")):
            self.add_error("category", "A casualty row needs a category and an outcome.")
        return data

    def create(self, *, article, user):
        data = self.cleaned_data
        dates = {key: data[key] for key in ("date_as_written", "date_from", "date_to", "date_precision")}
        common = {"source": article, "excerpt": data["excerpt"], "excerpt_start": self.suggestion.start}
        if data["record_as"] == "casualty":
            record = Casualty(
                **common,
                incident=_lookup(Incident, data["incident"], "incident"),
                category=data["category"],
                outcome=data["outcome"],
                best=int(data["value"]),
                high=int(data["value_high"]) if data["value_high"] is not None else None,
            )
        elif data["record_as"] == "strength_observation":
            record = StrengthObservation(
                **common,
                **dates,
                contingent=_lookup(Contingent, data["contingent"], "contingent"),
                personnel=int(data["value"]),
                qualifier=data["qualifier"],
            )
        else:
            record = Figure(
                **common,
                **dates,
                quantity=data["quantity"],
                value=data["value"],
                value_high=data["value_high"],
                qualifier=data["qualifier"],
                unit=data["unit"],
                subject=_lookup(Actor, data["subject"], "subject"),
            )
        return save_record(record, user=user)


SUB_EVENT_CHOICES = [(sub, sub) for subs in vocab.SUB_EVENT_TYPES.values() for sub in subs]


class IncidentForm(DatedForm):
    """The incident, its source (the sentence) and the proposed actors with their roles."""

    permissions = ("events.add_incident", "events.add_incidentsource", "events.add_incidentactor")
    title = forms.CharField(max_length=300)
    incident_type = forms.ChoiceField(choices=vocab.IncidentType.choices)
    acled_disorder_type = forms.ChoiceField(choices=vocab.DisorderType.choices, label="ACLED disorder type")
    acled_event_type = forms.ChoiceField(choices=vocab.EventType.choices, label="ACLED event type")
    acled_sub_event_type = forms.ChoiceField(choices=SUB_EVENT_CHOICES, label="ACLED sub-event type")
    ucdp_type_of_violence = forms.TypedChoiceField(
        choices=EMPTY + vocab.UcdpViolenceType.choices, required=False, coerce=int, empty_value=None, label="UCDP type"
    )
    place = forms.ChoiceField(required=False)
    location_as_written = forms.CharField(required=False, max_length=300)
    location_precision = forms.ChoiceField(choices=Incident.LocationPrecision.choices)
    excerpt = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), strip=False, help_text="Verbatim.")
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)

    def setup(self, choices):
        self.fields["place"].choices = choices.places

    @staticmethod
    def proposed(suggestion):
        values = suggestion.values
        keys = [
            "title", "incident_type", "acled_disorder_type", "acled_event_type", "acled_sub_event_type",
            "ucdp_type_of_violence", "place", "location_as_written", "location_precision", "date_as_written",
            "date_from", "date_to", "date_precision",
        ]  # fmt: skip
        return {key: values.get(key) for key in keys} | {"excerpt": suggestion.text}

    def create(self, *, article, user):
        data = self.cleaned_data
        fields = {key: value for key, value in data.items() if key not in ("excerpt", "place")}
        incident = Incident(**fields, slug=_unique_slug(Incident, f"{data['date_from'] or ''} {data['title']}"))
        incident.place = _lookup(Place, data["place"], "place")
        save_record(incident, user=user)
        source = IncidentSource(
            incident=incident, source=article, excerpt=data["excerpt"], excerpt_start=self.suggestion.start
        )
        save_record(source, user=user)
        actors = {a.pk: a for a in Actor.objects.filter(pk__in=[a["actor"] for a in self.suggestion.values["actors"]])}
        for proposed in self.suggestion.values["actors"]:
            if proposed["actor"] in actors:
                role = IncidentActor(incident=incident, actor=actors[proposed["actor"]], role=proposed["role"])
                save_record(role, user=user)
        return incident


class DateForm(AcceptForm):
    """A date creates no record by itself: noting it keeps it for the drafts that use it."""

    def create(self, *, article, user):
        return None


FORMS: dict[Kind, type[AcceptForm]] = {
    Kind.QUOTE: QuoteForm,
    Kind.ACTOR: ActorMentionForm,
    Kind.PLACE: PlaceMentionForm,
    Kind.NAME: NameForm,
    Kind.NUMBER: NumberForm,
    Kind.INCIDENT: IncidentForm,
    Kind.DATE: DateForm,
}


def add_validation_error(form: forms.Form, error: ValidationError) -> None:
    """A model's ValidationError on the form: on the field of the same name, else above the form."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, [e for item in errors for e in item.messages])
    else:
        form.add_error(None, error.messages)
