"""Load and export the corpus fixtures: JSON with natural keys, one file per model, in dependency order.

Loading validates every record as the admin would (full_clean: verbatim quotes and excerpts, choices,
constraints) and runs in one transaction: a bad record refuses the whole load and the error names it.
Exporting writes the same files deterministically, so curated changes can be saved back and diffed.
"""

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from django.apps import apps
from django.core import serializers
from django.core.exceptions import FieldDoesNotExist, ObjectDoesNotExist, ValidationError
from django.core.serializers.base import DeserializationError, DeserializedObject
from django.core.serializers.json import DjangoJSONEncoder
from django.db import DatabaseError, IntegrityError, models, transaction
from django.utils import timezone
from tqdm import tqdm

from common.models import attach_found_records, bulk_load
from common.progress import no_progress
from common.verbatim import locate

# Load order: every model after the models its natural keys point to.
CORPUS_MODELS: list[tuple[str, str]] = [
    ("outlets", "articles.Outlet"),
    ("places", "events.Place"),
    ("place_aliases", "events.PlaceAlias"),
    ("actors", "actors.Actor"),
    ("actor_aliases", "actors.ActorAlias"),
    ("articles", "articles.Article"),
    ("quotes", "articles.Quote"),
    ("actor_relations", "actors.ActorRelation"),
    ("positions", "actors.Position"),
    ("contingents", "actors.Contingent"),
    ("contingent_sources", "actors.ContingentSource"),
    ("strength_observations", "actors.StrengthObservation"),
    ("incidents", "events.Incident"),
    ("incident_actors", "events.IncidentActor"),
    ("incident_sources", "events.IncidentSource"),
    ("casualties", "events.Casualty"),
    ("figures", "events.Figure"),
    # Facts from outside the articles, last so that the files above keep their numbers.
    ("external_sources", "articles.ExternalSource"),
    ("incident_external_dates", "events.IncidentExternalDate"),
    # Names a curator accepted from intake, each at the passage naming it (none in the seed corpus yet).
    ("actor_mentions", "articles.ActorMention"),
    ("place_mentions", "articles.PlaceMention"),
]
MODEL_RANK = {label.lower(): rank for rank, (_, label) in enumerate(CORPUS_MODELS)}


class CorpusError(Exception):
    """A fixture could not be loaded; nothing was changed."""


@dataclass
class LoadReport:
    created: dict[str, int]  # new rows, by model label
    updated: dict[str, int]  # existing rows changed to match the fixtures (only with update=True)
    present: dict[str, int]  # existing rows left as they were

    @property
    def total(self) -> int:
        return sum(self.created.values()) + sum(self.updated.values()) + sum(self.present.values())


@dataclass
class _Record:
    data: dict
    origin: str  # "file.json #index", for error messages
    file_name: str


def _read_records(paths: Iterable[Path]) -> list[_Record]:
    records = []
    for path in paths:
        try:
            items = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError) as error:
            raise CorpusError(f"{path.name}: not readable JSON: {error}") from None
        if not isinstance(items, list):
            raise CorpusError(f"{path.name}: a fixture file holds a JSON list of records.")
        for index, item in enumerate(items):
            origin = f"{path.name} record #{index + 1}"
            if not isinstance(item, dict) or "model" not in item or "fields" not in item:
                raise CorpusError(f"{origin}: a record needs “model” and “fields”.")
            if item["model"].lower() not in MODEL_RANK:
                raise CorpusError(f"{origin}: unknown model {item['model']!r} (expected one of the corpus models).")
            records.append(_Record(item, origin, path.name))
    # Stable sort: dependency order between models, file order within a model.
    records.sort(key=lambda record: MODEL_RANK[record.data["model"].lower()])
    return records


def _describe(record: _Record, instance: models.Model | None = None) -> str:
    label = record.data["model"]
    key = None
    if instance is not None:
        try:
            key = instance.natural_key()
        except Exception:  # noqa: BLE001 - a broken record may not even have a key; describe it anyway
            key = None
    name = record.data["fields"].get("slug") or record.data["fields"].get("name") or record.data["fields"].get("title")
    what = f" {key!r}" if key else (f" {name!r}" if name else "")
    return f"{label}{what} ({record.origin})"


def _fill_timestamps(instance: models.Model) -> None:
    """Hand-written fixtures may omit the timestamps a raw save would otherwise leave empty."""
    now = timezone.now()
    for field_name in ("created", "modified"):
        if hasattr(instance, field_name) and getattr(instance, field_name) is None:
            setattr(instance, field_name, now)


def load(
    paths: Iterable[Path], using: str = "default", update: bool = False, progress: tqdm | None = None
) -> LoadReport:
    """Validate and save the records in `paths` that are not in the database yet, all or nothing.

    A record whose natural key finds a row is left alone: the row may have been curated since, and the database,
    not the fixtures, is the record of that. With `update=True` such a row is changed to match the fixture when
    a field differs, and gets one history entry saying so. `progress`, a tqdm bar, advances by one per record.
    """
    progress = progress if progress is not None else no_progress()
    records = _read_records(paths)
    try:
        return _load(records, using=using, update=update, progress=progress, careful=False)
    except _RowRefused:
        # Nothing was loaded. Load again with each row in a savepoint, so that when the database refuses it the
        # model's own checks can say why, naming the record.
        return _load(records, using=using, update=update, progress=progress, careful=True)


class _RowRefused(Exception):
    """The database refused a row of a load that saves without savepoints: load again, carefully."""


def _load(records: list[_Record], *, using: str, update: bool, progress: tqdm, careful: bool) -> LoadReport:
    loader = _Loader(using=using, update=update, careful=careful)
    with transaction.atomic(using=using), bulk_load():
        progress.reset(total=len(records))
        for record in records:
            loader.load(record)
            progress.update()
        loader.finish()
    return loader.report


class _Loader:
    """One load: new rows saved as they come, rows pointing further on completed at the end (forward references),
    and the audit history's first version of each new row written in bulk."""

    def __init__(self, *, using: str, update: bool, careful: bool):
        self.using, self.update, self.careful = using, update, careful
        self.report = LoadReport(created={}, updated={}, present={})
        self.new_rows: dict[type[models.Model], list[models.Model]] = {}
        self.deferred: list[tuple[_Record, DeserializedObject]] = []
        self.updates_after_forward_references: list[_Record] = []

    def load(self, record: _Record) -> None:
        instance = None
        label = record.data["model"].lower()
        try:
            deserialized = _deserialize(record, self.using)
            instance = deserialized.object
            model = type(instance)
            # A pk the natural key found is a row's; only a pk the record states itself needs looking up.
            stated = "pk" in record.data
            if instance.pk is not None and (
                not stated or model._base_manager.using(self.using).filter(pk=instance.pk).exists()
            ):
                self.load_existing(record, deserialized, label)
                return
            _fill_timestamps(instance)
            found = attach_found_records(instance, self.using)
            instance._state.adding = True
            # Forward references (a place's parent loaded later) are checked when they are saved; a reference found
            # by its natural key in this load exists (ForeignKey.validate() would ask the database again), unless the
            # field also limits the choices.
            exclude = [field.name for field in deserialized.deferred_fields or {}]
            exclude += [field.name for field in found if not field.remote_field.limit_choices_to]
            exclude = exclude or None
            # Uniqueness and constraints are the database's to enforce (a query each otherwise, for every record):
            # should it refuse the row, the model's own checks then say why in its words.
            instance.full_clean(exclude=exclude, validate_unique=False, validate_constraints=False)
            if not self.careful:  # a savepoint per row would be two more round trips each
                try:
                    deserialized.save(using=self.using)
                except IntegrityError as error:
                    raise _RowRefused from error
            else:
                try:
                    with transaction.atomic(using=self.using):
                        deserialized.save(using=self.using)
                except IntegrityError:
                    instance.validate_unique(exclude=exclude)
                    instance.validate_constraints(exclude=exclude)
                    raise
        except (ValidationError, *_RECORD_ERRORS) as error:
            raise _corpus_error(record, instance, error) from None
        _count(self.report.created, label)
        self.new_rows.setdefault(model, []).append(instance)
        if deserialized.deferred_fields:
            self.deferred.append((record, deserialized))

    def load_existing(self, record: _Record, deserialized: DeserializedObject, label: str) -> None:
        """Left alone, unless updating: then changed to match the fixture (once the rows it points at exist)."""
        if not self.update:
            _count(self.report.present, label)
        elif deserialized.deferred_fields:
            self.updates_after_forward_references.append(record)
        else:
            _count(self.report.updated if _update_row(record, deserialized, self.using) else self.report.present, label)

    def finish(self) -> None:
        """Once every record is in: complete the forward references, then the updates that waited for them, the
        derived fields and the audit history of the new rows."""
        self.save_forward_references()
        self.update_rows_with_forward_references()
        self.refresh_derived_fields()
        self.write_first_history()

    def save_forward_references(self) -> None:
        for record, deserialized in self.deferred:
            try:
                deserialized.save_deferred_fields(using=self.using)
            except Exception as error:  # noqa: BLE001 - name the record whatever went wrong
                raise CorpusError(f"{_describe(record, deserialized.object)}: {error}") from None

    def update_rows_with_forward_references(self) -> None:
        for record in self.updates_after_forward_references:
            instance = None
            try:
                deserialized = _deserialize(record, self.using)
                instance = deserialized.object
                changed = _update_row(record, deserialized, self.using)
            except (ValidationError, *_RECORD_ERRORS) as error:
                raise _corpus_error(record, instance, error) from None
            _count(self.report.updated if changed else self.report.present, record.data["model"].lower())

    def refresh_derived_fields(self) -> None:
        """Raw saves skip Model.save(), which keeps derived fields in step (a casualty row, its incident's totals):
        a model whose rows feed such fields gives its queryset a refresh_derived(), called here on the new rows."""
        for model, rows in self.new_rows.items():
            new_rows = model._default_manager.db_manager(self.using).filter(pk__in=[row.pk for row in rows])
            if hasattr(new_rows, "refresh_derived"):
                new_rows.refresh_derived()

    def write_first_history(self) -> None:
        """Raw saves write no audit history; give each new row its first version, so the first curator's edit shows
        what it changed. Rows that were already there keep their history untouched."""
        for model, rows in self.new_rows.items():
            if hasattr(model, "history"):
                model.history.db_manager(self.using).bulk_history_create(
                    rows, default_change_reason="Loaded from the corpus fixtures"
                )


_RECORD_ERRORS = (
    DeserializationError,
    DatabaseError,
    FieldDoesNotExist,
    ObjectDoesNotExist,
    LookupError,
    ValueError,
    TypeError,
)


def _corpus_error(record: _Record, instance: models.Model | None, error: Exception) -> CorpusError:
    reason = _format_validation(error) if isinstance(error, ValidationError) else str(error)
    return CorpusError(f"{_describe(record, instance)}: {reason}")


def _count(counts: dict[str, int], label: str) -> None:
    counts[label] = counts.get(label, 0) + 1


# A primary key no row has: given to a record whose natural key found no row, so that Django's deserializer does not
# look the key up again through the record's foreign keys (a query for each), and taken off before it is saved.
_NEW_ROW = -1


def _deserialize(record: _Record, using: str) -> DeserializedObject:
    """The record as an unsaved instance; its pk is set when its natural key finds a row."""
    _anchor_offsets(record.data, using)
    data, found = record.data, _find_by_fixture_key(record.data, using)
    if found is not None:
        data = {**data, "pk": found or _NEW_ROW}
    (deserialized,) = serializers.deserialize("python", [data], using=using, handle_forward_references=True)
    if found == 0:
        deserialized.object.pk = None
    return deserialized


def _find_by_fixture_key(data: dict, using: str) -> int | None:
    """The pk of the row the record's natural key finds, read from the fixture's own values (a foreign key's natural
    key holds the slug it needs); 0 when no row has it; None when the key cannot be read so (Django's deserializer
    then finds it through the record's foreign keys)."""
    model = apps.get_model(data["model"])
    manager = model._default_manager
    lookups, fields = getattr(manager, "lookups", None), data["fields"]
    if not lookups:
        return None
    values = []
    for lookup in lookups:
        name, _, rest = lookup.partition("__")
        if name not in fields:
            return None
        value, field = fields[name], model._meta.get_field(name)
        if rest:
            related_lookups = getattr(field.related_model._default_manager, "lookups", ())
            if rest not in related_lookups or not isinstance(value, list) or len(value) != len(related_lookups):
                return None
            value, field = value[related_lookups.index(rest)], field.related_model._meta.get_field(rest)
        if isinstance(value, list | dict):
            return None
        try:
            values.append(field.to_python(value))
        except ValidationError:
            return None  # a value the column cannot hold: the deserializer says what is wrong with it
    try:
        return manager.db_manager(using).get_by_natural_key(*values).pk
    except model.DoesNotExist:
        return 0


def _compared_fields(model: type[models.Model], record: _Record) -> list[models.Field]:
    """The fields a fixture record sets and a curator edits: not the pk, timestamps or derived columns."""
    return [
        field
        for field in model._meta.concrete_fields
        if field.name in record.data["fields"]
        and field.editable
        and not field.primary_key
        and not getattr(field, "auto_now", False)
        and not getattr(field, "auto_now_add", False)
    ]


def _update_row(record: _Record, deserialized: DeserializedObject, using: str) -> bool:
    """Make the row match the fixture record; True if anything differed (then it is saved, with one history entry)."""
    fixture = deserialized.object
    model = type(fixture)
    row = model._base_manager.using(using).get(pk=fixture.pk)
    changed_fields = [
        field
        for field in _compared_fields(model, record)
        if getattr(row, field.attname) != getattr(fixture, field.attname)
    ]
    changed_m2m = {
        name: pks
        for name, pks in (deserialized.m2m_data or {}).items()
        if set(getattr(row, name).values_list("pk", flat=True)) != set(pks)
    }
    if not changed_fields and not changed_m2m:
        return False
    for field in changed_fields:
        setattr(row, field.attname, getattr(fixture, field.attname))
    row.full_clean()
    row._change_reason = f"Updated from the corpus fixtures ({record.file_name})"
    with transaction.atomic(using=using):
        row.save(using=using)  # a normal save: derived fields in step, `modified` moves, one history entry
        for name, pks in changed_m2m.items():
            getattr(row, name).set(pks)
    return True


# Models whose natural key includes offsets derived from their text: (text field, article field, start, end).
_ANCHORED_TEXT = {
    "articles.quote": ("text", "article", "text_start", "text_end"),
}
_ANCHORED_EXCERPT = ("excerpt", "source", "excerpt_start", "excerpt_end")


def _anchor_offsets(data: dict, using: str) -> None:
    """Fill missing offsets from the text before the natural-key lookup, which needs them.

    Hand-written records may leave offsets out; without this a second load would not find the first.
    A text that is not in the article is left for full_clean to refuse with its usual message.
    """
    label = data["model"].lower()
    model = apps.get_model(label)
    if label in _ANCHORED_TEXT:
        text_field, article_field, start_field, end_field = _ANCHORED_TEXT[label]
    elif any(field.name == "excerpt" for field in model._meta.fields):
        text_field, article_field, start_field, end_field = _ANCHORED_EXCERPT
    else:
        return
    fields = data["fields"]
    if fields.get(start_field) is not None and fields.get(end_field) is not None:
        return
    text, article_key = fields.get(text_field), fields.get(article_field)
    if not text or not isinstance(article_key, list):
        return
    article_model = apps.get_model("articles.Article")
    try:
        body = article_model._default_manager.db_manager(using).get_by_natural_key(*article_key).body
        fields[start_field], fields[end_field] = locate(body, text, fields.get(start_field))
    except (article_model.DoesNotExist, ValidationError):
        return


def _format_validation(error: ValidationError) -> str:
    if hasattr(error, "error_dict"):
        return "; ".join(f"{field}: {' '.join(messages)}" for field, messages in error.message_dict.items())
    return " ".join(error.messages)


def fixture_paths(directory: Path) -> list[Path]:
    return sorted(directory.glob("*.json"))


# Records fetched and serialized per query by export(): memory stays flat whatever the size of the table.
EXPORT_CHUNK_SIZE = 500


def _by_natural_key(model: type[models.Model], using: str) -> list[tuple[str, int]]:
    """(natural key as JSON, pk) of every row, in the files' order: sorted by that JSON text. Read from the columns
    the model's NaturalKeyManager names (no records built), else from each record's natural_key()."""
    manager = model._default_manager.using(using).order_by()
    lookups = getattr(model._default_manager, "lookups", None)
    if lookups:
        keyed = [
            (json.dumps(values, cls=DjangoJSONEncoder), pk)
            for pk, *values in manager.values_list("pk", *lookups).iterator(chunk_size=EXPORT_CHUNK_SIZE)
        ]
    else:
        records = manager.select_related(*_natural_key_relations(model)).iterator(chunk_size=EXPORT_CHUNK_SIZE)
        keyed = [(json.dumps(record.natural_key(), cls=DjangoJSONEncoder), record.pk) for record in records]
    keyed.sort()
    return keyed


def _natural_key_relations(model: type[models.Model]) -> list[str]:
    """The relations a record's natural key, and its foreign keys' natural keys, read: selected with it."""
    paths = []
    lookups = getattr(model._default_manager, "lookups", ())
    paths.extend(lookup.rsplit("__", 1)[0] for lookup in lookups if "__" in lookup)
    for field in model._meta.concrete_fields:
        if field.is_relation:
            paths.append(field.name)
            related_lookups = getattr(field.related_model._default_manager, "lookups", ())
            paths.extend(f"{field.name}__{lookup.rsplit('__', 1)[0]}" for lookup in related_lookups if "__" in lookup)
    return list(dict.fromkeys(paths))


def export_records(label: str, using: str = "default", progress: tqdm | None = None) -> Iterator[dict]:
    """The model's records as the fixture files hold them, in natural key order, EXPORT_CHUNK_SIZE at a time (each
    chunk one query, its related records selected and its many-to-many lists prefetched)."""
    progress = progress if progress is not None else no_progress()
    model = apps.get_model(label)
    many_to_many = [field.name for field in model._meta.many_to_many]
    queryset = (
        model._default_manager.using(using)
        .select_related(*_natural_key_relations(model))
        .prefetch_related(*many_to_many)
    )
    keyed = _by_natural_key(model, using)
    for start in range(0, len(keyed), EXPORT_CHUNK_SIZE):
        chunk = keyed[start : start + EXPORT_CHUNK_SIZE]
        by_pk = queryset.in_bulk([pk for _, pk in chunk])
        instances = [by_pk[pk] for _, pk in chunk]
        serialized = serializers.serialize(
            "python", instances, use_natural_foreign_keys=True, use_natural_primary_keys=True
        )
        for (key, _), instance, data in zip(chunk, instances, serialized, strict=True):
            if json.dumps(instance.natural_key(), cls=DjangoJSONEncoder) != key:
                raise CorpusError(f"{label}: its manager's natural key lookups do not give its natural_key()")
            data.pop("pk", None)
            for name in many_to_many:
                if name in data["fields"]:
                    data["fields"][name] = sorted(data["fields"][name])
            progress.update()
            yield data


_encode_scalar = DjangoJSONEncoder(ensure_ascii=False).encode  # C-accelerated: no indent at this level


def indented_json(value, indent: str = "") -> str:
    """json.dumps(value, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2), byte for byte, at about a third of
    its cost: with an indent, json.dumps runs its pure-Python encoder; here the scalars go through the C one."""
    if isinstance(value, dict):
        if not value:
            return "{}"
        inner = indent + "  "
        items = (f"{inner}{_encode_scalar(str(key))}: {indented_json(item, inner)}" for key, item in value.items())
        return "{\n" + ",\n".join(items) + "\n" + indent + "}"
    if isinstance(value, list | tuple):
        if not value:
            return "[]"
        inner = indent + "  "
        return "[\n" + ",\n".join(inner + indented_json(item, inner) for item in value) + "\n" + indent + "]"
    return _encode_scalar(value)


def _write_json_array(path: Path, records: Iterable[dict]) -> None:
    """The records as json.dumps(list(records), indent=2) writes them, byte for byte, one record at a time."""
    with path.open("w", encoding="utf-8") as file:
        opening = "[\n  "
        for record in records:
            file.write(opening + indented_json(record, "  "))
            opening = ",\n  "
        file.write("[]\n" if opening == "[\n  " else "\n]\n")


def export(directory: Path, using: str = "default", progress: tqdm | None = None) -> list[Path]:
    """Write one file per corpus model into `directory`, replacing the corpus files there, record by record: memory
    holds one chunk of records (and every row's natural key, to sort them), not a table.

    `progress`, a tqdm bar, advances by one per record written; when it is shown, one count per model sets its total.
    """
    progress = progress if progress is not None else no_progress()
    if not progress.disable:
        progress.reset(total=sum(model._default_manager.using(using).count() for model in iter_corpus_models()))
    directory.mkdir(parents=True, exist_ok=True)
    for stale in fixture_paths(directory):
        stale.unlink()
    written = []
    for rank, (name, label) in enumerate(CORPUS_MODELS, start=1):
        path = directory / f"{rank:02d}_{name}.json"
        _write_json_array(path, export_records(label, using, progress))
        written.append(path)
    return written


def holds_corpus_records(using: str = "default") -> bool:
    """True once any corpus model has a row: the corpus was loaded (and may have been curated since)."""
    return any(model._base_manager.using(using).exists() for model in iter_corpus_models())


def iter_corpus_models() -> Iterator[type[models.Model]]:
    for _, label in CORPUS_MODELS:
        yield apps.get_model(label)
