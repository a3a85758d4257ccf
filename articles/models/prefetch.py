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
from django.db.models.query import ValuesIterable
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
    related = _sharing_query(_default_queryset(field.model) if queryset is None else queryset)
    related._hints = {**related._hints, "instance": instance}
    known_id = getattr(instance, field.target_field.attname)
    related._known_related_objects = {field: {known_id: instance}}
    fill_prefetched(instance, relation, objects, related, **{field.name: instance})


# {model: its default manager's queryset}, never read: what a filter on a filled relation
# starts from when its lookup names no queryset.
_default_querysets = {}


def _default_queryset(model):
    queryset = _default_querysets.get(model)
    if queryset is None:
        queryset = _default_querysets[model] = model._default_manager.all()
    return queryset


class _SharedQuery:
    """A queryset whose SQL query is another's until it is changed: then it takes a copy.

    Each story's filled relation is a queryset of its own, but copying the lookup's query
    for each (Django's `_chain()`, a deep copy of its joins) cost about 20 µs a relation,
    a tenth of the related stories' CPU, for a further filter that pages almost never ask.
    """

    @property
    def query(self):
        if vars(self).pop("_query_is_shared", False):
            self._query = self._query.chain()  # before the deferred filter goes into it
        return super().query

    @query.setter
    def query(self, value):
        vars(self).pop("_query_is_shared", None)
        self._query = value
        if value.values_select:
            self._iterable_class = ValuesIterable


_sharing_classes = {}


def _sharing_query(queryset):
    """A copy of `queryset` (a QuerySet of any class) sharing its query until changed."""
    base = type(queryset)
    sharing = _sharing_classes.get(base)
    if sharing is None:
        sharing = _sharing_classes[base] = type(base.__name__, (_SharedQuery, base), {})
        sharing.__module__ = base.__module__
        # Pickled (as a cache or a test client may) as the queryset it copies.
        sharing.__reduce_ex__ = lambda self, protocol: _reduce_as(self, base, protocol)
    copy = sharing.__new__(sharing)
    vars(copy).update(vars(queryset), _query_is_shared=True)
    return copy


def _reduce_as(queryset, base, protocol):
    state = queryset.__getstate__()
    state.pop("_query_is_shared", None)
    return (_rebuild, (base, state))


def _rebuild(base, state):
    queryset = base.__new__(base)
    queryset.__setstate__(state)
    return queryset


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
            same_tags = _sharing_query(_default_queryset(Tag))
            fill_prefetched(instance, "tags", tags, same_tags, pk__in=[tag.pk for tag in tags])

    return Filled("tags", fill=fill)
