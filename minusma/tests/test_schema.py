"""Schema-wide guarantees: every model is curated in the admin and every foreign key is indexed."""

import pytest
from django.apps import apps
from django.contrib import admin
from django.db import connection

PROJECT_APPS = ["articles", "actors", "events"]
# Audit-trail tables (django-simple-history) are reached through their model's history page instead.
PROJECT_MODELS = [
    model
    for label in PROJECT_APPS
    for model in apps.get_app_config(label).get_models()
    if not model.__name__.startswith("Historical")
]


@pytest.mark.parametrize("model", PROJECT_MODELS, ids=lambda model: model._meta.label)
def test_every_model_is_registered_in_the_admin(model):
    """Curators can reach every model from the admin."""
    assert admin.site.is_registered(model)


@pytest.mark.django_db
@pytest.mark.parametrize("model", PROJECT_MODELS, ids=lambda model: model._meta.label)
def test_every_foreign_key_column_leads_an_index(model):
    """Joins and filters on relations never scan a table: each foreign key column starts an index."""
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, model._meta.db_table)
    leading_columns = {c["columns"][0] for c in constraints.values() if (c["index"] or c["unique"]) and c["columns"]}
    for field in model._meta.concrete_fields:
        if field.is_relation:
            assert field.column in leading_columns, f"{model._meta.label}.{field.name} has no index"
    for field in model._meta.many_to_many:
        through = field.remote_field.through._meta.db_table
        with connection.cursor() as cursor:
            through_constraints = connection.introspection.get_constraints(cursor, through)
        leading = {c["columns"][0] for c in through_constraints.values() if c["columns"]}
        for column in (f"{model._meta.model_name}_id", f"{field.m2m_reverse_field_name()}_id"):
            assert column in leading, f"{through}.{column} has no index"
