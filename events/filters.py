"""Incident, place and figure filters: one FilterSet per model, for the web lists and the API alike."""

from django_filters import rest_framework as filters

from actors.models import Actor, Contingent
from common.filters import (
    BooleanFilter,
    ChoiceFilter,
    CountryFilter,
    DateRangeForm,
    IdOrSlugFilter,
    IntegerFilter,
    RecordFilterSet,
)

from . import vocabularies as vocab
from .models import Figure, Incident, IncidentActor, Place


class IncidentFilter(RecordFilterSet):
    orderings = {
        "date_from": ("date_from",),
        "title": ("title",),
        "incident_type": ("incident_type",),
        "acled_event_type": ("acled_event_type", "acled_sub_event_type"),
        "place": ("place__name",),
        "killed": ("killed",),
        "wounded": ("wounded",),
        "abducted": ("abducted",),
        "id": ("id",),
    }
    ordering_aliases = {"date": "date_from", "type": "incident_type"}
    date_from = filters.DateFilter(
        method="filter_date_from", help_text="Incidents that may have happened on or after this day (YYYY-MM-DD)."
    )
    date_to = filters.DateFilter(
        method="filter_date_to", help_text="Incidents that may have happened on or before this day (YYYY-MM-DD)."
    )
    incident_type = ChoiceFilter(choices=vocab.IncidentType.choices)
    acled_disorder_type = ChoiceFilter(choices=vocab.DisorderType.choices, help_text="ACLED disorder_type.")
    acled_event_type = ChoiceFilter(choices=vocab.EventType.choices, help_text="ACLED event_type.")
    acled_sub_event_type = ChoiceFilter(
        choices=[(sub, sub) for subs in vocab.SUB_EVENT_TYPES.values() for sub in subs],
        help_text="ACLED sub_event_type.",
    )
    acled_event_id = filters.CharFilter(help_text="ACLED event_id_cnty: the incident matched to that ACLED event.")
    place = IdOrSlugFilter(
        queryset=Place.objects.all(),
        method="filter_place",
        help_text="Place name, id or slug: incidents there or anywhere inside it (a region's towns, a town's bases).",
    )
    actor = IdOrSlugFilter(
        queryset=Actor.objects.all(),
        method="filter_actor",
        help_text="Actor name, id or slug: incidents it took part in.",
    )
    role = ChoiceFilter(
        choices=IncidentActor.Role.choices,
        method="filter_role",
        help_text="With actor: its role. Alone: incidents with any actor in this role.",
    )
    victim_nationality = CountryFilter(
        label="Victims’ nationality",
        method="filter_victim_nationality",
        help_text="Casualties of this nationality: a country’s name or ISO 3166-1 alpha-2 code.",
    )
    victim_contingent = IdOrSlugFilter(
        label="Victims’ contingent",
        queryset=Contingent.objects.all(),
        method="filter_victim_contingent",
        help_text="Contingent name, id or slug: casualties among its peacekeepers.",
    )
    min_killed = IntegerFilter(
        label="At least this many killed",
        method="filter_min_casualties",
        min_value=0,
        help_text="At least this many killed according to one source (the `killed` field); an incident whose "
        "sources give no number never matches, so 0 selects those with a reported number.",
    )
    min_wounded = IntegerFilter(
        label="At least this many wounded",
        method="filter_min_casualties",
        min_value=0,
        help_text="At least this many wounded according to one source (the `wounded` field); never one without a "
        "reported number.",
    )
    min_abducted = IntegerFilter(
        label="At least this many abducted",
        method="filter_min_casualties",
        min_value=0,
        help_text="At least this many abducted according to one source (the `abducted` field); never one without a "
        "reported number.",
    )
    in_mali = BooleanFilter(help_text="true: in Mali; false: elsewhere (e.g. New York).")
    date_source = ChoiceFilter(
        choices=Incident.DateSource.choices,
        method="filter_date_source",
        help_text="article: incidents dated as the cited articles date them; external: dated from outside the "
        "articles (the record's `external_date` names the source).",
    )

    class Meta:
        model = Incident
        form = DateRangeForm
        fields = [
            "date_from",
            "date_to",
            "incident_type",
            "acled_disorder_type",
            "acled_event_type",
            "acled_sub_event_type",
            "place",
            "actor",
            "role",
            "victim_nationality",
            "victim_contingent",
            "min_killed",
            "min_wounded",
            "min_abducted",
            "in_mali",
            "date_source",
        ]

    def filter_date_from(self, queryset, name, value):
        return queryset.in_period(start=value)

    def filter_date_to(self, queryset, name, value):
        return queryset.in_period(end=value)

    def filter_place(self, queryset, name, value):
        return queryset.at_place(value)

    # actor and role name one participation together: with an actor, its filter applies the pair (role or not);
    # a role alone filters by itself.
    def filter_actor(self, queryset, name, value):
        return queryset.involving(actor=value, role=self.form.cleaned_data.get("role") or None)

    def filter_role(self, queryset, name, value):
        if self.form.cleaned_data.get("actor"):
            return queryset
        return queryset.involving(role=value)

    def filter_victim_nationality(self, queryset, name, value):
        return queryset.with_victims_of_nationality(value)

    def filter_victim_contingent(self, queryset, name, value):
        return queryset.with_victims_from_contingent(value)

    def filter_min_casualties(self, queryset, name, value):
        return queryset.with_at_least(name.removeprefix("min_"), value)

    def filter_date_source(self, queryset, name, value):
        return queryset.dated_from(value)


class PlaceFilter(RecordFilterSet):
    orderings = {
        "name": ("name",),
        "kind": ("kind",),
        "parent": ("parent__name",),
        "country": ("country",),
        "latitude": ("latitude",),
        "longitude": ("longitude",),
        "id": ("id",),
    }
    kind = ChoiceFilter(choices=Place.Kind.choices)
    country = CountryFilter(help_text="A name or an ISO 3166-1 alpha-2 code, e.g. ML.")
    parent = IdOrSlugFilter(
        queryset=Place.objects.all(), help_text="Places directly inside this one (name, id or slug)."
    )
    within = IdOrSlugFilter(
        queryset=Place.objects.all(),
        method="filter_within",
        help_text="This place and every place inside it, at any depth (name, id or slug).",
    )

    class Meta:
        model = Place
        fields = ["kind", "country", "parent", "within"]

    def filter_within(self, queryset, name, value):
        return queryset.within(value)


class FigureFilter(RecordFilterSet):
    orderings = {
        "quantity": ("quantity", "date_from"),
        "value": ("value",),
        "subject": ("subject__name",),
        "date_from": ("date_from",),
        "source": ("source__title",),
        "id": ("id",),
    }
    ordering_aliases = {"date": "date_from"}
    quantity = ChoiceFilter(choices=vocab.FigureQuantity.choices)
    subject = IdOrSlugFilter(
        queryset=Actor.objects.all(), help_text="What the number is about (actor name, id or slug)."
    )
    date_from = filters.DateFilter(method="filter_date_from", help_text="Holding on or after this day (YYYY-MM-DD).")
    date_to = filters.DateFilter(method="filter_date_to", help_text="Holding on or before this day (YYYY-MM-DD).")

    class Meta:
        model = Figure
        form = DateRangeForm
        fields = ["quantity", "subject", "date_from", "date_to"]

    def filter_date_from(self, queryset, name, value):
        return queryset.in_period(start=value)

    def filter_date_to(self, queryset, name, value):
        return queryset.in_period(end=value)
