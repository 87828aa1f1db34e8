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
    # Spellings that differ only by accents are kept: they are how sources wrote the name.
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

    for relation in Actor._meta.related_objects:
        if relation.many_to_many:
            if not relation.through._meta.auto_created:
                continue  # rows of an explicit through model (IncidentActor) are moved as foreign keys below
            accessor = getattr(duplicate, relation.get_accessor_name())
            for related in list(accessor.all()):
                getattr(related, relation.field.name).add(survivor)
            accessor.clear()
            continue
        if relation.related_model is ActorAlias:
            continue
        for row in relation.related_model._base_manager.filter(**{relation.field.name: duplicate}):
            setattr(row, relation.field.name, survivor)
            row._change_reason = reason
            try:
                with transaction.atomic():
                    row.save()
            except IntegrityError:
                # The survivor already has this row (or it would relate the survivor to itself).
                row.__class__._base_manager.filter(pk=row.pk).delete()

    if not survivor.description and duplicate.description:
        survivor.description = duplicate.description
    for field in ("wikidata_id", "acled_actor_type"):
        if getattr(survivor, field) is None and getattr(duplicate, field) is not None:
            value = getattr(duplicate, field)
            setattr(duplicate, field, None)
            duplicate.save(update_fields=[field])
            setattr(survivor, field, value)
    survivor._change_reason = reason
    survivor.save()
    duplicate._change_reason = reason
    duplicate.delete()
    return survivor
