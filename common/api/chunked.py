"""Many records represented at once, exactly as their serializer represents them one by one: the streamed exports'
fast path (CSV, JSON Lines and GeoJSON of a list, the web lists' downloads included).

DRF represents record by record and field by field, and the ORM builds every related record for each row: for
incidents with their place chain, actors, casualties and sources that cost ~1.7 ms a record in a profile (~600 rows/s),
so a million-row export took hours. Here a chunk of records is represented together:

- a column whose value already is what JSON wants (text, a whole number, a boolean) is read off the record as it is;
  other columns go through their serializer field's to_representation, as DRF does;
- a reference ({id, slug, name, url}) is made once per related record and export, by the field itself, the related
  records fetched in one query per chunk for the ids not seen yet;
- a list of children (an incident's actors, casualties, sources) comes from one query per chunk, ordered as the
  queryset's prefetch orders it (its for_list()), and is represented the same way, recursively;
- the related records the queryset selects (select_related: an incident's place chain, its outside date source) are
  fetched once per export (a reverse one-to-one: once per chunk) and attached to each record, so any other field (an
  address, a property such as the incident's location) is read as DRF reads it: field.get_attribute, then
  to_representation.

A serializer with a field this cannot represent in chunks (a many-to-many list, a nested serializer of a forward
relation) raises NotChunkable when it is built, and the export falls back to DRF. common/api/tests/test_chunked.py
compares both record for record on every endpoint.
"""

import itertools
import operator
from collections.abc import Callable, Iterable
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.db import models
from rest_framework import fields as drf_fields
from rest_framework import serializers

from common.api.fields import RecordUrlField, RefField, detail_url_template
from common.reversing import PLACEHOLDER

# Related records (and their references) held per model during one export, at most this many; then started afresh,
# so that memory stays flat over a million rows whose articles are all different.
HELD_RECORDS = 5_000

# Serializer fields whose representation of a value read from the database is the value itself, for these model
# fields: DRF's CharField gives str(value), IntegerField int(value), BooleanField the bool, a ChoiceField the choice
# value (for text choices, the value).
_AS_STORED = {
    serializers.CharField: (models.CharField, models.TextField),
    serializers.ChoiceField: (models.CharField,),
    serializers.IntegerField: (models.IntegerField,),
    serializers.BooleanField: (models.BooleanField,),
}

_SKIP = object()  # a field DRF leaves out of the record (SkipField)
_MISSING = object()


class BoundedDict(dict):
    """A memo of at most about HELD_RECORDS entries, so that memory stays flat over any export: emptied when full."""

    def __setitem__(self, key, value) -> None:
        if len(self) >= HELD_RECORDS and key not in self:
            self.clear()
        super().__setitem__(key, value)

    def make_room(self, keep: set, more: int) -> None:
        """Room for `more` entries: if they would not fit, every entry but those under `keep` is dropped."""
        if len(self) + more > HELD_RECORDS:
            kept = {key: self[key] for key in keep if key in self}
            self.clear()
            self.update(kept)


class NotChunkable(Exception):
    """The serializer has a field chunked representation does not handle; use the serializer itself."""


def _paths(selected: dict, prefix: str = "") -> list[str]:
    """select_related's nested dict ({"place": {"parent": {}}}) as its lookups (["place__parent"])."""
    found = []
    for name, nested in selected.items():
        path = f"{prefix}{name}"
        found.extend(_paths(nested, f"{path}__") if nested else [path])
    return found


def _selected(queryset) -> dict:
    selected = queryset.query.select_related
    return selected if isinstance(selected, dict) else {}


class HeldRecords:
    """Records of one model by id, each with the relations `selected` names, fetched in one query for the ids not
    already held."""

    def __init__(self, model: type[models.Model], selected: dict):
        queryset = model._base_manager.select_related(*_paths(selected)) if selected else model._base_manager.all()
        # Long texts (an article's body) are left in the database: a reference or a location does not read them.
        self.queryset = queryset.defer(
            *(f.name for f in model._meta.concrete_fields if isinstance(f, models.TextField))
        )
        self.held: BoundedDict = BoundedDict()

    def get(self, ids: set) -> dict[Any, models.Model]:
        missing = ids - self.held.keys()
        if missing:
            self.held.make_room(ids - missing, len(missing))
            self.held.update(self.queryset.in_bulk(missing))
        return self.held


class Store:
    """The related records of one export, by model and selection, shared by every level of it."""

    def __init__(self):
        self.by_model: dict[tuple, HeldRecords] = {}

    def records(self, model: type[models.Model], selected: dict) -> HeldRecords:
        key = (model, repr(sorted(selected.items())))
        if key not in self.by_model:
            self.by_model[key] = HeldRecords(model, selected)
        return self.by_model[key]


class ChunkedRepresentation:
    """represent(records) == serializer_class(records, many=True, context=…).data, for records of `queryset` fetched
    without its select_related and prefetch_related (see for_export())."""

    def __init__(
        self,
        serializer: serializers.Serializer,
        queryset: models.QuerySet,
        store: Store | None = None,
        *,
        whole_records: bool = False,
    ):
        """`whole_records`: the records are also read outside the serializer's fields (a GeoJSON feature's point),
        so they are fetched whole, with the relations the queryset selects attached."""
        self.model = queryset.model
        self.store = store if store is not None else Store()
        self.selected = _selected(queryset)
        self.prefetches = {
            lookup.prefetch_to: lookup.queryset
            for lookup in queryset._prefetch_related_lookups
            if isinstance(lookup, models.Prefetch) and lookup.queryset is not None
        }
        self.readers: list[tuple[str, Callable]] = []
        # The columns the readers read, or None once one reads the record as DRF does (it may read any of them).
        self.columns: set[str] | None = {self.model._meta.pk.name}
        self.references: list[tuple[models.ForeignKey, RefField, BoundedDict]] = []
        self.children: list[tuple[str, models.ManyToOneRel, ChunkedRepresentation, dict]] = []
        # Cached properties computed once per distinct value of the columns they depend on (model.computed_from).
        self.computed: dict[str, tuple[Callable, BoundedDict]] = {}
        wanted = serializer.context.get("fields") if serializer.parent is None else None
        for name, field in serializer.fields.items():
            if field.write_only or (wanted and name not in wanted):
                continue
            self.readers.append((name, self._reader(name, field)))
        if whole_records:
            self.columns = None

    def for_export(self, queryset: models.QuerySet, *also: str) -> models.QuerySet:
        """The queryset whose records represent() takes: without the relations it attaches or fetches itself, and
        with only the columns it reads (and `also`) where it knows them."""
        queryset = queryset.select_related(None).prefetch_related(None)
        if self.columns is not None:
            queryset = queryset.only(*self.columns, *also)
        return queryset

    # Building: one reader per field.

    def _model_field(self, source: str):
        try:
            return self.model._meta.get_field(source)
        except FieldDoesNotExist:
            return None

    def _reader(self, name: str, field) -> Callable:
        model_field = self._model_field(field.source) if "." not in field.source and field.source != "*" else None
        if isinstance(field, serializers.ListSerializer):
            return self._children_reader(name, field, model_field)
        if isinstance(field, serializers.ManyRelatedField):
            raise NotChunkable(f"{name}: a many-to-many list")
        if isinstance(field, RecordUrlField):
            template = detail_url_template(self.model, field.context.get("request"))
            return lambda record: template.replace(PLACEHOLDER, str(record.pk), 1)
        if isinstance(field, RefField) and model_field is not None and model_field.many_to_one:
            return self._reference_reader(field, model_field)
        if isinstance(field, serializers.BaseSerializer) and model_field is not None and model_field.concrete:
            raise NotChunkable(f"{name}: a nested record of a forward relation")
        if model_field is not None and model_field.concrete and not model_field.is_relation:
            self._reads(model_field.name)
            attname = model_field.attname
            if isinstance(model_field, _AS_STORED.get(type(field), ())) and self._stored_as_is(field):
                return lambda record: getattr(record, attname)
            represent = field.to_representation
            if model_field.choices:  # few values (a country, say), each represented once
                represented: dict[Any, Any] = {}

                def read_choice(record):
                    stored = record.__dict__[attname]
                    if stored not in represented:
                        value = getattr(record, attname)
                        represented[stored] = None if value is None else represent(value)
                    return represented[stored]

                return read_choice
            return lambda record: None if (value := getattr(record, attname)) is None else represent(value)
        self.columns = None
        attribute = field.source.split(".", 1)[0]
        if attribute in getattr(self.model, "computed_from", {}):
            return self._computed_reader(field, attribute)
        return self._drf_reader(field)

    def _reads(self, name: str) -> None:
        if self.columns is not None:
            self.columns.add(name)

    @staticmethod
    def _stored_as_is(field) -> bool:
        """Whether a ChoiceField's representation of a stored value is the value (text choices, no Enum)."""
        if isinstance(field, serializers.ChoiceField):
            return all(isinstance(key, str) and type(key) is str for key in field.choices)
        return True

    @staticmethod
    def _drf_reader(field) -> Callable:
        """The field read as DRF reads it; a reference (an incident's region, say) made once per related record."""
        references = BoundedDict()

        def read(record):
            try:
                attribute = field.get_attribute(record)
            except drf_fields.SkipField:
                return _SKIP
            if attribute is None:
                return None
            if not isinstance(attribute, models.Model) or not isinstance(field, RefField):
                return field.to_representation(attribute)
            key = (type(attribute), attribute.pk)
            reference = references.get(key)
            if reference is None:
                reference = references[key] = field.to_representation(attribute)
            return reference

        return read

    def _computed_reader(self, field, attribute: str) -> Callable:
        """A field read from a cached property the model computes from a few columns (Incident.location): the
        property computed, and the field represented, once per distinct value of those columns."""
        if attribute not in self.computed:
            columns = self.model.computed_from[attribute]
            self.computed[attribute] = (operator.attrgetter(*columns), BoundedDict())
        key_of, _ = self.computed[attribute]
        read = self._drf_reader(field)
        represented = BoundedDict()

        def read_computed(record):
            key = key_of(record)
            value = represented.get(key, _MISSING)
            if value is _MISSING:
                value = represented[key] = read(record)
            return value

        return read_computed

    def _reference_reader(self, field: RefField, model_field) -> Callable:
        self._reads(model_field.name)
        references = BoundedDict()
        self.references.append((model_field, field, references))
        attname = model_field.attname
        return lambda record: None if (pk := getattr(record, attname)) is None else references[pk]

    def _children_reader(self, name: str, field: serializers.ListSerializer, relation) -> Callable:
        if not isinstance(relation, models.ManyToOneRel) or relation.many_to_many or relation.one_to_one:
            raise NotChunkable(f"{name}: a list that is not the records pointing at this one")
        queryset = self.prefetches.get(field.source, relation.related_model._default_manager.all())
        child = ChunkedRepresentation(field.child, queryset, self.store)
        by_parent: dict[Any, list] = {}
        self.children.append((field.source, relation, child, by_parent))
        return lambda record: by_parent.get(record.pk, [])

    # Representing a chunk.

    def represent(self, records: list[models.Model]) -> list[dict]:
        if self.columns is None:  # fields that read the record as DRF does may follow its relations
            self._attach(records)
        for attribute, (key_of, values) in self.computed.items():
            for record in records:  # computed once per key, and set as the cached property's value
                key = key_of(record)
                value = values.get(key, _MISSING)
                if value is _MISSING:
                    value = values[key] = getattr(record, attribute)
                record.__dict__[attribute] = value
        for model_field, field, references in self.references:
            ids = {pk for record in records if (pk := getattr(record, model_field.attname)) is not None}
            missing = ids - references.keys()
            if missing:
                references.make_room(ids - missing, len(missing))
                # Selected with the rows (a page's), else fetched for the chunk.
                held = {
                    related.pk: related
                    for record in records
                    if model_field.is_cached(record) and (related := model_field.get_cached_value(record)) is not None
                }
                if fetch := missing - held.keys():
                    selected = self.selected.get(model_field.name, {})
                    fetched = self.store.records(model_field.related_model, selected).get(fetch)
                    held.update((pk, fetched[pk]) for pk in fetch)
                references.update((pk, field.to_representation(held[pk])) for pk in missing)
        for source, relation, child, by_parent in self.children:
            by_parent.clear()
            parent_ids = [record.pk for record in records]
            rows = list(
                child.for_export(
                    self.prefetches.get(source, relation.related_model._default_manager.all()), relation.field.name
                ).filter(**{f"{relation.field.name}__in": parent_ids})
            )
            attname = relation.field.attname
            for row, data in zip(rows, child.represent(rows), strict=True):
                by_parent.setdefault(getattr(row, attname), []).append(data)
        readers = self.readers
        represented = []
        for record in records:
            data = {}
            for name, read in readers:
                value = read(record)
                if value is not _SKIP:
                    data[name] = value
            represented.append(data)
        return represented

    def _attach(self, records: list[models.Model]) -> None:
        """The related records the queryset selects, set on each record as select_related would have."""
        for name, nested in self.selected.items():
            field = self.model._meta.get_field(name)
            unattached = [record for record in records if not field.is_cached(record)]  # selected with the rows?
            if not unattached:
                continue
            if field.concrete:  # a foreign key (or forward one-to-one): records held for the whole export
                ids = {pk for record in unattached if (pk := getattr(record, field.attname)) is not None}
                held = self.store.records(field.related_model, nested).get(ids)
                for record in unattached:
                    field.set_cached_value(record, held.get(getattr(record, field.attname)))
            else:  # a reverse one-to-one: this chunk's, or None as select_related leaves it
                manager = field.related_model._base_manager
                related = manager.select_related(*_paths(nested)) if nested else manager
                found = {
                    getattr(row, field.field.attname): row
                    for row in related.filter(**{f"{field.field.name}__in": [record.pk for record in unattached]})
                }
                for record in unattached:
                    field.set_cached_value(record, found.get(record.pk))


def chunks(records: Iterable, size: int) -> Iterable[list]:
    iterator = iter(records)
    while batch := list(itertools.islice(iterator, size)):
        yield batch
