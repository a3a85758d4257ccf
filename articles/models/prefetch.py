"""Filling a story's prefetched relations for less than `prefetch_related` costs.

On the article page each prefetch cost ~0.6 ms of CPU, mostly Django's fixed price of
building, compiling and distributing a query, whatever it finds. For a story and a handful of
teasers, the related rows come packed in each story's own row (newsroom/packed.py), made
instances without a query of their own; for a list page's many stories one query compiled
once per process (newsroom/precompiled.py) reads them all, which costs the database less than
a subquery per story. What is filled here answers `.all()` as a prefetch does, and
`prefetch_related` then skips those objects.
"""

from django.db.models import Prefetch
from django.db.models.constants import LOOKUP_SEP
from taggit.models import Tag


class Filled(Prefetch):
    """A prefetch that `fill_prefetches` makes for less, with `fill(instances)`; anywhere else
    (`prefetch_related_objects`, a queryset without the hook) the plain Prefetch it names."""

    def __init__(self, lookup, queryset=None, *, fill):
        super().__init__(lookup, queryset)
        self.fill = fill


def fill_prefetches(instances, lookups):
    """Fill each `Filled` lookup on the instances that do not have it yet. True when that
    leaves `prefetch_related` nothing to do: every lookup filled on every instance."""
    complete = True
    for lookup in lookups:
        if not isinstance(lookup, Filled):
            complete = False
            continue
        # A deeper level (`bylines__author`) is left to Django.
        complete = complete and LOOKUP_SEP not in lookup.prefetch_through
        relation = lookup.prefetch_to
        needing = [instance for instance in instances if not _is_filled(instance, relation)]
        if needing:
            lookup.fill(needing)
            complete = complete and all(_is_filled(instance, relation) for instance in needing)
    return complete


def _is_filled(instance, relation):
    return relation in vars(instance).get("_prefetched_objects_cache", {})


def related_all(instance, relation):
    """`getattr(instance, relation).all()`: the prefetched objects when there are, without
    making the related manager, which cost about 5 µs each time a story's method read one."""
    prefetched = vars(instance).get("_prefetched_objects_cache", {}).get(relation)
    return getattr(instance, relation).all() if prefetched is None else prefetched


def filled_reverse(relation, precompiled, queryset=None):
    """A `Filled` prefetch of the reverse foreign key `relation`, filled by `fill_reverse`."""
    return Filled(
        relation,
        queryset,
        fill=lambda instances: fill_reverse(instances, relation, precompiled, queryset),
    )


def fill_reverse(instances, relation, precompiled, queryset=None):
    """Fill the reverse foreign key `relation` of the instances from `precompiled(ids=[...])`,
    which reads the related objects of those ids in the relation's order."""
    field = getattr(type(instances[0]), relation).rel.field
    by_instance = {instance.pk: [] for instance in instances}
    for obj in precompiled(ids=list(by_instance)):
        by_instance[getattr(obj, field.attname)].append(obj)
    for instance in instances:
        fill_reverse_prefetched(instance, relation, by_instance[instance.pk], queryset)


def packed_reverse(relation, rows, column, queryset=None):
    """A `Filled` prefetch of the reverse foreign key `relation`, filled from each instance's
    `column`, which the queryset annotates with `rows.column(...)` (newsroom/packed.py).
    Instances read without the column are left to Django's own prefetch."""

    def fill(instances):
        for instance, found in _unpacked(instances, rows, column):
            fill_reverse_prefetched(instance, relation, found, queryset)

    return Filled(relation, queryset, fill=fill)


def _unpacked(instances, rows, column):
    """(instance, its objects) for each instance read with the packed `column`."""
    for instance in instances:
        if column in vars(instance):
            yield instance, rows.unpack(vars(instance)[column], instance._state.db)


def fill_reverse_prefetched(instance, relation, objects, queryset=None):
    """`fill_prefetched` for the reverse foreign key `relation`: each object's foreign key gives
    `instance` without a query, and a further filter reads `queryset` (by default the related
    model's own) narrowed to the instance, as Django's related manager does
    (`_apply_rel_filters`): with the instance as the router's hint and known to the results."""
    field = getattr(type(instance), relation).rel.field
    for obj in objects:
        field.set_cached_value(obj, instance)  # as prefetch_related leaves `obj.article`
    # A copy: the lookup's queryset is shared by every story read through it.
    related = field.model._default_manager.all() if queryset is None else queryset._chain()
    related._hints = {**related._hints, "instance": instance}
    known_id = getattr(instance, field.target_field.attname)
    related._known_related_objects = {field: {known_id: instance}}
    fill_prefetched(instance, relation, objects, related, **{field.name: instance})


def fill_prefetched(instance, relation, objects, queryset, **filters):
    """Make `instance.<relation>.all()` return `objects` without a query, the way
    `prefetch_related` leaves it (django.db.models.query.prefetch_one_level).

    A further filter on the relation reads `queryset` narrowed by `filters`: applied only
    then, as Django's related managers defer theirs (building the relation's own queryset
    cost ~20 µs, for each story and relation, that a page never used).
    """
    queryset._deferred_filter = (False, (), filters)
    queryset._result_cache = list(objects)
    queryset._prefetch_done = True
    vars(instance).setdefault("_prefetched_objects_cache", {})[relation] = queryset


def packed_tags(rows, column):
    """A `Filled` prefetch of `tags` (django-taggit) from each instance's `column`, packed
    tagged items with their tags (newsroom/packed.py), in the order of `tags.all()`.

    taggit's own prefetch joins the content type table to match it by app and model name,
    and builds a filtered queryset per instance.
    """

    def fill(instances):
        for instance, items in _unpacked(instances, rows, column):
            tags = [item.tag for item in items]
            # Not taggit's own queryset, which cost ~0.1 ms a story to build: the same tags,
            # should a caller filter them further.
            same_tags = Tag.objects.all()
            fill_prefetched(instance, "tags", tags, same_tags, pk__in=[tag.pk for tag in tags])

    return Filled("tags", fill=fill)
