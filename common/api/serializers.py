"""The base serializer of every record, and the small shared parts of records (dates, sources, aliases)."""

from collections.abc import Callable

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, transaction
from django_countries.serializers import CountryFieldMixin
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.settings import api_settings

from common.api.fields import RefField, field_columns


class RecordSerializer(CountryFieldMixin, serializers.ModelSerializer):
    """Validates writes as the admin does (the model's full_clean, so a quote must be verbatim) and answers
    `fields` and `expand` on the top-level record.

    `expandable` maps a field to the serializer class that embeds the related record(s) in place of the reference,
    or to a function returning it where the class cannot be named yet (the record's own class, or one in a module that
    imports this serializer's); the queryset's for_list(expand=…) loads what that needs.
    """

    expandable: dict[str, type[serializers.Serializer] | Callable[[], type[serializers.Serializer]]] = {}

    @classmethod
    def expansion(cls, name: str) -> type[serializers.Serializer]:
        """The serializer that embeds the `name` relation."""
        target = cls.expandable[name]
        return target if isinstance(target, type) else target()

    def _is_top_level(self) -> bool:
        return self.parent is None or (
            isinstance(self.parent, serializers.ListSerializer) and self.parent.parent is None
        )

    def to_representation(self, instance) -> dict:
        data = super().to_representation(instance)
        if not self._is_top_level():
            return data
        embed_context = {"request": self.context.get("request")}
        for name in self.context.get("expand", ()):
            data[name] = self.expand(name, instance, self.expansion(name), embed_context)
        wanted = self.context.get("fields")
        return {key: value for key, value in data.items() if key in wanted} if wanted else data

    def expand(self, name: str, instance, serializer_class, context):
        related = getattr(instance, self.fields[name].source)
        if related is None:
            return None
        if hasattr(related, "all"):
            return serializer_class(related.all(), many=True, context=context).data
        return serializer_class(related, context=context).data

    def flat_columns(self) -> list[str]:
        """The CSV header for this serializer's records with the request's `fields` and `expand`: every column
        renderers.flatten() can give, from the fields rather than the data, so a streamed export can start with it.
        """
        wanted, expanded = self.context.get("fields"), self.context.get("expand", ())
        columns = []
        for name, field in self.fields.items():
            if wanted and name not in wanted:
                continue
            if name in expanded:
                field = self.expansion(name)()
            columns.extend(field_columns(field, name))
        return columns

    def get_validators(self) -> list:
        return []  # uniqueness and constraints are checked by the model's full_clean() in validate()

    def validate(self, attrs: dict) -> dict:
        attrs = super().validate(attrs)
        model = self.Meta.model
        instance = self.instance if self.instance is not None else model()
        self._many_to_many = {}
        for name, value in attrs.items():
            if model._meta.get_field(name).many_to_many:
                self._many_to_many[name] = value
            else:
                setattr(instance, name, value)
        try:
            instance.full_clean()
        except DjangoValidationError as error:
            raise ValidationError(self._field_errors(error)) from None
        self._cleaned_instance = instance
        return attrs

    def _field_errors(self, error: DjangoValidationError) -> dict:
        """The model's errors under the API's field names."""
        if not hasattr(error, "error_dict"):
            return {api_settings.NON_FIELD_ERRORS_KEY: error.messages}
        by_source = {field.source: name for name, field in self.fields.items()}
        errors = {}
        for name, messages in error.message_dict.items():
            key = api_settings.NON_FIELD_ERRORS_KEY if name == "__all__" else by_source.get(name, name)
            errors.setdefault(key, []).extend(messages)
        return errors

    @transaction.atomic
    def create(self, validated_data: dict):
        return self._save_cleaned()

    @transaction.atomic
    def update(self, instance, validated_data: dict):
        return self._save_cleaned()

    def _save_cleaned(self):
        """Save exactly the instance full_clean() checked, with the offsets and derived fields it filled in.

        Should the database still refuse it (a verbatim trigger or a constraint seeing a row written meanwhile), the
        answer is a 400 in the model's words where validation now sees the problem, else in the database's.
        """
        instance = self._cleaned_instance
        try:
            with transaction.atomic():
                instance.save()
                for name, values in self._many_to_many.items():
                    getattr(instance, name).set(values)
        except IntegrityError as error:
            try:
                instance.full_clean()
            except DjangoValidationError as validation:
                raise ValidationError(self._field_errors(validation)) from None
            raise ValidationError(
                {api_settings.NON_FIELD_ERRORS_KEY: [f"The database refused the change: {error}"]}
            ) from None
        return instance


DATE_FIELDS = ["date_as_written", "date_from", "date_to", "date_precision", "acled_time_precision", "ucdp_date_prec"]
SOURCE_FIELDS = ["source", "excerpt", "excerpt_start", "excerpt_end"]


class FuzzyDateFields(serializers.Serializer):
    """The date as the source gives it, with ACLED's and UCDP's precision codes derived from its precision."""

    acled_time_precision = serializers.IntegerField(
        read_only=True, allow_null=True, help_text="ACLED time_precision: 1 day, 2 week, 3 month or coarser."
    )
    ucdp_date_prec = serializers.IntegerField(
        read_only=True, allow_null=True, help_text="UCDP date_prec: 1 day … 5 year."
    )


class SourceSerializer(serializers.Serializer):
    """Where a claim comes from: the article and the passage, verbatim, with its offsets in the body."""

    source = RefField(read_only=True)
    excerpt = serializers.CharField(read_only=True)
    excerpt_start = serializers.IntegerField(read_only=True)
    excerpt_end = serializers.IntegerField(read_only=True)


class AliasSerializer(serializers.Serializer):
    name = serializers.CharField(read_only=True)
    kind = serializers.CharField(read_only=True)
    language = serializers.CharField(read_only=True)
