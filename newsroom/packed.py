"""Related rows read in their parent's own row, packed into one JSON column.

Every query costs Django and the driver about 0.1 ms of CPU, and the database about half as
much, whatever it finds: a story page asked one for its story and one each for the bylines,
tags, analysis boxes and corrections. `PackedRows` reads a relation's rows instead in a
correlated subquery of the parent's query, aggregated into one JSON array of arrays
(PostgreSQL's json_agg, SQLite's json_group_array), and `unpack` makes them model instances
again, as the ORM itself reads rows, a related object (`select_related`) included:

    BYLINE_ROWS = PackedRows(
        Byline, ["id", "article_id", "author_id", "position"],
        related={"author": ["id", "name", "slug"]}, order_by=["position", "id"],
    )
    stories = Article.objects.annotate(
        packed_bylines=BYLINE_ROWS.column(Byline.objects.filter(article=OuterRef("pk")), "article")
    )
    bylines = BYLINE_ROWS.unpack(stories[0].packed_bylines, "default")

Fields left out are deferred, as with `only()`: reading one costs a query. The rows come back
in `order_by` (packed fields, ascending, empty values last as PostgreSQL puts them), sorted
here: an aggregate's order is not portable SQL. JSON carries numbers, strings, booleans and
nulls; date-times and dates are read back from their ISO text, and other kinds of field
(JSON, decimals, UUIDs, any with a from_db_value()…) are refused when the packing is first
used. PostgreSQL's `json` has no equality: a packed column cannot go through DISTINCT or UNION.
"""

import datetime
import json
from typing import NamedTuple

from django.apps import apps
from django.conf import settings
from django.db import connections, models
from django.db.models import Aggregate, F, Func, OuterRef, Subquery
from django.utils.functional import cached_property

from newsroom.loading import from_db

# Fields whose values JSON carries as they are.
_AS_THEY_ARE = (
    models.AutoField,
    models.BigAutoField,
    models.IntegerField,
    models.CharField,
    models.TextField,
    models.FileField,
)


class _JSONArray(Func):
    """One row's values as a JSON array."""

    function = "JSON_BUILD_ARRAY"
    output_field = models.TextField()

    def as_sqlite(self, compiler, connection, **extra_context):
        return self.as_sql(compiler, connection, function="JSON_ARRAY", **extra_context)


class _JSONRows(Aggregate):
    """The rows' arrays aggregated into one JSON array."""

    function = "JSON_AGG"
    output_field = models.TextField()  # decoded by `unpack`, whatever the driver gives

    def as_sqlite(self, compiler, connection, **extra_context):
        return self.as_sql(compiler, connection, function="JSON_GROUP_ARRAY", **extra_context)


def _reader(field):
    """How a field's value comes back from JSON: None when as it is, else reader(value, zone),
    `zone` being the time zone the database keeps naive date-times in."""
    if isinstance(field, models.ForeignKey):
        return _reader(field.target_field)
    if hasattr(field, "from_db_value"):
        raise TypeError(f"{field!r} cannot be packed: its from_db_value() would not be applied")
    if isinstance(field, models.BooleanField):
        return lambda value, zone: value if value is None else bool(value)  # SQLite: 0 and 1
    if isinstance(field, models.DateTimeField):
        return _date_time
    if isinstance(field, models.DateField):
        return lambda value, zone: value if value is None else datetime.date.fromisoformat(value)
    if isinstance(field, _AS_THEY_ARE):
        return None
    raise TypeError(f"{field!r} cannot be packed: JSON does not carry its values as they are")


def _date_time(value, zone):
    if value is None:
        return None
    moment = datetime.datetime.fromisoformat(value)
    if settings.USE_TZ and moment.tzinfo is None:  # SQLite: in the database's zone, unmarked
        moment = moment.replace(tzinfo=zone)
    return moment


class _Part:
    """One model's values in a packed row: its fields, in the model's order."""

    def __init__(self, model, names):
        wanted = {model._meta.get_field(name) for name in names}
        # Model.from_db takes values in the order of the model's concrete fields.
        self.fields = [field for field in model._meta.concrete_fields if field in wanted]
        if len(self.fields) != len(wanted):
            raise TypeError(f"Only concrete fields of {model.__name__} can be packed: {names}")
        if model._meta.pk not in wanted:
            raise TypeError(f"A packed {model.__name__} needs its primary key")
        self.model = model
        self.attnames = [field.attname for field in self.fields]
        readers = [(index, _reader(field)) for index, field in enumerate(self.fields)]
        self.readers = [(index, read) for index, read in readers if read is not None]

    def values(self):
        return [F(attname) for attname in self.attnames]

    def instance(self, using, row, zone):
        # A copy: the row may be the driver's decoded JSON, kept on the instance and read
        # again (PostgreSQL's json column comes back as lists, SQLite's as text).
        values = row[: len(self.attnames)]
        for index, read in self.readers:
            values[index] = read(values[index], zone)
        return from_db(self.model, using, self.attnames, values)


class PackedRows:
    """How to pack rows of `model` (a model or "app_label.Model"), with the `related` objects
    of its foreign keys: `{foreign key's name: [the related model's fields]}`."""

    def __init__(self, model, fields, *, related=None, order_by=("pk",)):
        # Defined beside the models, resolved at first use, once every model is loaded.
        self.definition = (model, fields, related or {}, order_by)

    @cached_property
    def layout(self):
        model, fields, related, order_by = self.definition
        if isinstance(model, str):
            model = apps.get_model(model)
        part = _Part(model, fields)
        related_parts = []
        for name, related_fields in related.items():
            field = model._meta.get_field(name)
            related_parts.append((field, _Part(field.related_model, related_fields)))
        order = [model._meta.pk.attname if name == "pk" else name for name in order_by]
        if not set(order) <= set(part.attnames):
            raise TypeError(f"Packed rows are put in order by packed fields: {order_by}")
        parts = [part, *(related_part for _, related_part in related_parts)]
        reads_date_times = any(read is _date_time for each in parts for _, read in each.readers)
        return _Layout(part, related_parts, _order_key(order), reads_date_times)

    def column(self, queryset, parent):
        """A subquery giving, for each row of the outer query, the packed rows of `queryset`
        (which names the outer row with OuterRef), grouped by its foreign key `parent`."""
        layout = self.layout
        values = layout.part.values()
        for field, part in layout.related:
            # The related object's row in a subquery of its own, by primary key: joined, the
            # planner scanned the whole related table once for each outer row.
            related_row = part.model._base_manager.filter(pk=OuterRef(field.attname)).order_by()
            values.append(Subquery(related_row.values(row=_JSONArray(*part.values()))))
        rows = (
            queryset.order_by()
            .values(parent)
            .annotate(packed_rows=_JSONRows(_JSONArray(*values)))
            .values("packed_rows")
        )
        return Subquery(rows, output_field=models.TextField())

    def unpack(self, packed, using):
        """The model instances in a packed column's value, in `order_by`."""
        if packed is None:
            return []
        layout = self.layout
        # Only date-times read it, and the connection costs a context-local lookup to find.
        zone = connections[using].timezone if layout.reads_date_times else None
        rows = json.loads(packed) if isinstance(packed, str) else packed
        first_related = len(layout.part.attnames)
        instances = []
        for row in rows:
            instance = layout.part.instance(using, row, zone)
            for index, (field, part) in enumerate(layout.related, first_related):
                related_row = row[index]
                if isinstance(related_row, str):  # SQLite gives a subquery's JSON as text
                    related_row = json.loads(related_row)
                related = None if related_row is None else part.instance(using, related_row, zone)
                field.set_cached_value(instance, related)  # as select_related leaves it
            instances.append(instance)
        instances.sort(key=layout.order_key)
        return instances


def _order_key(names):
    """Ascending, empty values last, as PostgreSQL orders them (and the page showed them)."""
    return lambda instance: tuple(_last_if_empty(getattr(instance, name)) for name in names)


def _last_if_empty(value):
    return (value is None, 0 if value is None else value)


class _Layout(NamedTuple):
    part: _Part
    related: list  # [(foreign key, _Part)]
    order_key: object
    reads_date_times: bool
