"""Writes that touch several rows of actors."""

from django.db import IntegrityError, transaction

from .models import Actor, ActorAlias


@transaction.atomic
def actor_merge(*, survivor: Actor, duplicate: Actor) -> Actor:
    """Merge `duplicate` into `survivor`: every row that points at the duplicate is moved to the survivor,
    the duplicate's names become the survivor's aliases, and the duplicate is deleted.

    A moved row that would repeat one the survivor already has (same alias, same relation, same incident
    role) or relate the survivor to itself is deleted instead. Each change is saved one by one so the audit
    history records it with the reason.
    """
    if survivor.pk == duplicate.pk:
        raise ValueError("An actor cannot be merged into itself.")
    reason = f"Merged actor “{duplicate.name}” ({duplicate.slug}) into “{survivor.name}” ({survivor.slug})"
    _move_names(survivor, duplicate, reason)
    _move_related_rows(survivor, duplicate, reason)
    _fill_blank_fields(survivor, duplicate)
    survivor._change_reason = reason
    survivor.save()
    duplicate._change_reason = reason
    duplicate.delete()
    return survivor


def _move_names(survivor: Actor, duplicate: Actor, reason: str) -> None:
    """The duplicate's aliases, and its name, become the survivor's aliases unless it already has them.

    Spellings that differ only by accents are kept: they are how sources wrote the name.
    """
    known_names = {survivor.name.casefold(), *(alias.name.casefold() for alias in survivor.aliases.all())}
    for alias in list(duplicate.aliases.all()):
        if alias.name.casefold() in known_names:
            alias.delete()
            continue
        alias.actor = survivor
        alias._change_reason = reason
        alias.save()
        known_names.add(alias.name.casefold())
    if duplicate.name.casefold() not in known_names:
        alias = ActorAlias(actor=survivor, name=duplicate.name, kind=ActorAlias.Kind.OTHER_SPELLING)
        alias._change_reason = reason
        alias.save()


def _move_related_rows(survivor: Actor, duplicate: Actor, reason: str) -> None:
    """Every foreign key and many-to-many link to the duplicate now points at the survivor; a row the survivor
    already has (or one that would relate it to itself) is deleted instead."""
    for relation in Actor._meta.related_objects:
        if relation.related_model is ActorAlias:
            continue  # moved by _move_names
        if relation.many_to_many:
            if relation.through._meta.auto_created:
                accessor = getattr(duplicate, relation.get_accessor_name())
                for related in list(accessor.all()):
                    getattr(related, relation.field.name).add(survivor)
                accessor.clear()
            continue  # rows of an explicit through model (IncidentActor) are moved as foreign keys
        for row in relation.related_model._base_manager.filter(**{relation.field.name: duplicate}):
            setattr(row, relation.field.name, survivor)
            row._change_reason = reason
            try:
                with transaction.atomic():
                    row.save()
            except IntegrityError:
                row.__class__._base_manager.filter(pk=row.pk).delete()


def _fill_blank_fields(survivor: Actor, duplicate: Actor) -> None:
    """The survivor takes the duplicate's description and codes where it has none (unique codes are released by
    the duplicate first)."""
    if not survivor.description and duplicate.description:
        survivor.description = duplicate.description
    for field in ("wikidata_id", "acled_actor_type"):
        if getattr(survivor, field) is None and getattr(duplicate, field) is not None:
            value = getattr(duplicate, field)
            setattr(duplicate, field, None)
            duplicate.save(update_fields=[field])
            setattr(survivor, field, value)
