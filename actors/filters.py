"""Actor, contingent and strength-observation filters: one FilterSet per model, for the web lists and the API alike."""

from django_filters import rest_framework as filters

from common.filters import BooleanFilter, ChoiceFilter, CountryFilter, DateRangeForm, IdOrSlugFilter, RecordFilterSet
from events.models import Place

from .models import AcledActorType, Actor, ActorKind, Contingent, PersonnelType, StrengthObservation


class ActorFilter(RecordFilterSet):
    orderings = {
        "name": ("name",),
        "kind": ("kind",),
        "country": ("country",),
        "acled_actor_type": ("acled_actor_type",),
        "id": ("id",),
    }
    kind = ChoiceFilter(choices=ActorKind.choices, help_text="Kind of actor.")
    country = CountryFilter(help_text="Nationality or home country, a name or an ISO 3166-1 alpha-2 code (e.g. FR).")
    acled_actor_type = ChoiceFilter(choices=AcledActorType.choices, help_text="ACLED inter code, 1-8.")
    has_quotes = BooleanFilter(method="filter_has_quotes", help_text="true: quoted at least once; false: never.")

    class Meta:
        model = Actor
        fields = ["kind", "country", "acled_actor_type", "has_quotes"]

    def filter_has_quotes(self, queryset, name, value):
        return queryset.with_quotes(value)


class ContingentFilter(RecordFilterSet):
    # `country` orders by the ISO code (as the API always has); `country_name` by the name the pages show.
    orderings = {
        "country_name": ("country_name",),
        "country": ("country",),
        "capability": ("capability",),
        "unit_name": ("unit_name",),
        "personnel_type": ("personnel_type",),
        "base": ("base__name",),
        "status": ("status",),
        "date_from": ("date_from",),
        "id": ("id",),
    }
    ordering_aliases = {"unit": "unit_name", "date": "date_from"}
    country = CountryFilter(help_text="Contributing country, a name or an ISO 3166-1 alpha-2 code (e.g. TD).")
    personnel_type = ChoiceFilter(choices=PersonnelType.choices, help_text="UN personnel type.")
    capability = ChoiceFilter(choices=Contingent.Capability.choices)
    unit = filters.CharFilter(
        field_name="unit_name", lookup_expr="icontains", help_text="Text in the unit's name, any case."
    )
    base = IdOrSlugFilter(queryset=Place.objects.all(), help_text="Base place name, id or slug.")
    status = ChoiceFilter(choices=Contingent.Status.choices)
    active_on = filters.DateFilter(
        method="filter_active_on", help_text="Contingents whose period includes this day (YYYY-MM-DD)."
    )

    class Meta:
        model = Contingent
        fields = ["country", "personnel_type", "capability", "unit", "base", "status", "active_on"]

    def filter_active_on(self, queryset, name, value):
        return queryset.active_on(value)


class StrengthObservationFilter(RecordFilterSet):
    orderings = {"date_from": ("date_from",), "personnel": ("personnel",), "id": ("id",)}
    contingent = IdOrSlugFilter(queryset=Contingent.objects.all(), help_text="Contingent name, id or slug.")
    country = CountryFilter(
        method="filter_country", help_text="The contingent’s country: a name or an ISO 3166-1 alpha-2 code."
    )
    basis = ChoiceFilter(choices=StrengthObservation.Basis.choices)
    date_from = filters.DateFilter(method="filter_date_from", help_text="Observed on or after this day.")
    date_to = filters.DateFilter(method="filter_date_to", help_text="Observed on or before this day.")

    class Meta:
        model = StrengthObservation
        form = DateRangeForm
        fields = ["contingent", "country", "basis", "date_from", "date_to"]

    def filter_country(self, queryset, name, value):
        return queryset.of_contingent_country(value)

    def filter_date_from(self, queryset, name, value):
        return queryset.in_period(start=value)

    def filter_date_to(self, queryset, name, value):
        return queryset.in_period(end=value)
