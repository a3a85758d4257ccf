"""Querysets built and compiled to SQL once per process, then run with each call's values.

Django builds a queryset (filters, joins, annotations) and compiles it to SQL afresh every
time one is evaluated. The article page asks the same few shapes of query on every request,
and building and compiling them was a third of its CPU. A `Precompiled` query is built by its
builder once per shape, with stand-in values, and compiled once per database; each call then
binds its own values into the kept SQL, as SQLAlchemy's compiled-SQL cache does.

    PAGE_STORY = Precompiled(
        lambda pk, now: Article.objects.published(now).for_page().filter(pk=pk)
    )
    stories = PAGE_STORY(pk=1, now=timezone.now())  # a QuerySet: iterate it, len() it

Keyword arguments are values: each must reach the SQL as a parameter, unchanged, or the first
call says so (a value used in a slice or turned into another value would not be bound again).
Positional arguments are the shape: passed to the builder as they are, each different one
built and compiled apart (a page number used in a slice, a flag that picks a filter). A list
value binds element by element; its length is part of the shape. Integers, strings and
date-times are values; None and booleans change the SQL itself, so they belong in the shape.
Integers past a 32-bit column's range, and shapes that can match nothing, are built and
compiled as Django does, every call: Django's checks answer those with no rows.

What a call returns is a queryset to read: iterating, `len()`, `bool()`, indexing once read,
and its `prefetch_related` lookups all work. Changing it (`filter`, `count`, `get`…) raises
TypeError rather than run the kept SQL without the change. To count the rows a query gives
without reading them (a paginator's count), call `count()` of the `Precompiled` instead: its
builder may then give any queryset (`values("pk")` too), counted as Django counts one,
`SELECT COUNT(*) FROM (its SQL) subquery`.

    COUNTED = Precompiled(lambda limit, now: Article.objects.published(now).values("pk")[:limit])
    COUNTED.count(1001, now=timezone.now())  # an int
"""

import datetime
import itertools

from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models.query import ModelIterable

# Shapes kept per query; past this, calls build and compile as Django does.
MAX_SHAPES = 64

# Stand-ins are values no real call passes (within a 32-bit integer column's range, which
# Django checks), all different, so that each one's place in the SQL's parameters is known.
_stand_in_numbers = itertools.count(2_100_000_001)


def _stand_in(value):
    number = next(_stand_in_numbers)
    if isinstance(value, bool) or value is None:
        raise TypeError(
            f"{value!r} changes the SQL itself: pass it as part of the shape (a positional "
            "argument), not as a value"
        )
    if isinstance(value, int):
        return number
    if isinstance(value, datetime.datetime):
        return datetime.datetime(1901, 1, 1, tzinfo=datetime.timezone.utc) + datetime.timedelta(
            microseconds=number
        )
    if isinstance(value, str):
        return f"precompiled stand-in {number}"
    raise TypeError(f"Precompiled queries take integers, strings and date-times, not {value!r}")


def _flatten(values):
    """((each value's name and its length, None for a single value), their flat list).

    The names and lengths are part of a shape's key: a list of another length is other SQL.
    """
    names, flat = [], []
    for name in sorted(values):
        value = values[name]
        if isinstance(value, list | tuple):
            names.append((name, len(value)))
            flat.extend(value)
        else:
            names.append((name, None))
            flat.append(value)
    return tuple(names), flat


def _unflatten(names, flat):
    values, position = {}, 0
    for name, length in names:
        if length is None:
            values[name] = flat[position]
            position += 1
        else:
            values[name] = list(flat[position : position + length])
            position += length
    return values


class Precompiled:
    """A query built by `build(*shape, **values)`, compiled once per shape and database."""

    def __init__(self, build):
        self.build = build
        self.shapes = {}  # (shape, value names and list lengths) -> _Template

    def __call__(self, *shape, **values):
        template, flat = self._template(shape, values)
        bound = None
        if template is not None:
            if template.queryset._iterable_class is not ModelIterable:
                raise TypeError("Precompiled queries read model instances (no values(), no raw())")
            bound = template.bind(flat)
        return self.build(*shape, **values) if bound is None else bound

    def first(self, *shape, **values):
        """The first row the query gives, or None."""
        return next(iter(self(*shape, **values)), None)

    def count(self, *shape, **values):
        """How many rows the query gives, counted by the database."""
        template, flat = self._template(shape, values)
        counted = None if template is None else template.count(flat)
        return self.build(*shape, **values).count() if counted is None else counted

    def _template(self, shape, values):
        """(this shape's template, or None to build the query as Django does; the flat values)"""
        names, flat = _flatten(values)
        key = (shape, names)
        template = self.shapes.get(key)
        if template is None and len(self.shapes) < MAX_SHAPES:
            template = self.shapes[key] = _Template(self.build, shape, names, flat)
        # Integers past a 32-bit column's range go Django's way, which checks them against the
        # column (no such row, rather than an error from the database or its driver).
        if any(_out_of_range(value) for value in flat):
            template = None
        return template, flat


def _out_of_range(value):
    return isinstance(value, int) and not -(2**31) <= value < 2**31


class _Template:
    """One shape: its queryset built with stand-ins, and its SQL compiled per database."""

    def __init__(self, build, shape, names, flat):
        self.build = build
        self.shape = shape
        self.names = names
        self.stand_ins = [_stand_in(value) for value in flat]
        self.queryset = build(*shape, **_unflatten(names, self.stand_ins))
        self.compiled = {}  # database alias -> _Compiled

    def bind(self, flat):
        """The queryset to read for these values, or None to build it as Django does."""
        queryset = self.queryset
        using, compiled = self._compiled()
        if compiled.sql is None:
            return None  # nothing can match: no SQL to keep, Django's own way asks nothing
        bound = queryset.__class__(model=queryset.model, query=_BoundQuery(compiled, flat))
        bound._db = using
        bound._prefetch_related_lookups = queryset._prefetch_related_lookups
        return bound

    def count(self, flat):
        """How many rows the query gives for these values, or None to count as Django does."""
        using, compiled = self._compiled()
        if compiled.sql is None:
            return None
        connection = connections[using]
        # Only the kept SQL is written in; every value is a parameter.
        sql = f"SELECT COUNT(*) FROM ({compiled.sql}) subquery"  # noqa: S608
        with connection.cursor() as cursor:
            cursor.execute(sql, compiled.params_for(connection, flat))
            return cursor.fetchone()[0]

    def _compiled(self):
        using = self.queryset.db  # the router's choice, per call (the replica for public reads)
        compiled = self.compiled.get(using)
        if compiled is None:
            compiled = self.compiled[using] = _Compiled(self, using)
        return using, compiled


def _compile(queryset, using):
    """(sql or None when nothing can match, params, the compiler's state after compiling)."""
    compiler = queryset.query.get_compiler(using=using)
    try:
        sql, params = compiler.as_sql()
    except EmptyResultSet:
        sql, params = None, ()
    state = {
        name: getattr(compiler, name, None)
        for name in ("select", "klass_info", "annotation_col_map", "col_count", "has_extra_select")
    }
    return sql, list(params), state


def _adapter(connection, stand_in, param):
    """How Django turned `stand_in` into `param`, as something `_adapt` repeats, or None when
    `param` is not this value: as given ("same"); as the driver's own integer type (psycopg's
    Int4 and Int8 under server-side binding); or by a database operation (`connection.ops`)."""
    if isinstance(stand_in, int):
        if isinstance(param, int) and not isinstance(param, bool) and param == stand_in:
            return "same" if type(param) is int else type(param)
        return None
    if type(param) is type(stand_in) and param == stand_in:
        return "same"
    if isinstance(stand_in, datetime.datetime) and param == (
        connection.ops.adapt_datetimefield_value(stand_in)
    ):
        return "adapt_datetimefield_value"
    return None


def _adapt(connection, adapter, value):
    if adapter == "same":
        return value
    if isinstance(adapter, str):
        return getattr(connection.ops, adapter)(value)
    return adapter(value)


class _Compiled:
    """A shape's SQL on one database, and where each value goes into its parameters."""

    def __init__(self, template, using):
        connection = connections[using]
        self.sql, self.params, self.state = _compile(template.queryset, using)
        # A second build with other stand-ins must give the same SQL, the values in the same
        # places: otherwise a value changed the SQL, and binding it again would be wrong.
        others = [_stand_in(value) for value in template.stand_ins]
        again_sql, again_params, _ = _compile(
            template.build(*template.shape, **_unflatten(template.names, others)), using
        )
        if again_sql != self.sql:
            raise ValueError(
                "A value changed the SQL of this query (used in a slice, or turned into "
                f"another value?): pass it as shape instead.\n{self.sql}"
            )
        if self.sql is None:
            self.places = []
            return
        self.places = self._places(connection, template.stand_ins, self.params)
        again_places = self._places(connection, others, again_params)
        if [place[:2] for place in again_places] != [place[:2] for place in self.places]:
            raise ValueError(f"A value reaches the SQL changed; pass it as shape.\n{self.sql}")

    @staticmethod
    def _places(connection, stand_ins, params):
        """[(index in params, index of the value, its adapter)] for every bound value."""
        places = []
        for value_index, stand_in in enumerate(stand_ins):
            found = [
                (param_index, value_index, adapter)
                for param_index, param in enumerate(params)
                if (adapter := _adapter(connection, stand_in, param)) is not None
            ]
            if not found:
                raise ValueError(
                    f"Value number {value_index + 1} does not reach the SQL as given (turned "
                    "into another value?): pass it as shape, or pass what the query uses."
                )
            places.extend(found)
        return sorted(places, key=lambda place: place[0])

    def params_for(self, connection, flat):
        params = list(self.params)
        for param_index, value_index, adapter in self.places:
            params[param_index] = _adapt(connection, adapter, flat[value_index])
        return params


class _BoundQuery:
    """What a precompiled queryset evaluates: the kept SQL with this call's values."""

    def __init__(self, compiled, flat):
        self.compiled = compiled
        self.flat = flat

    def get_compiler(self, using=None, connection=None, elide_empty=True):
        connection = connection or connections[using]
        return _compiler_class(connection)(self, connection, using, elide_empty)

    def __getattr__(self, name):
        raise TypeError(
            "A precompiled queryset is read as it is (iterated, len(), bool()): change its "
            f"builder rather than the result (it has no query.{name})"
        )


_compiler_classes = {}


def _compiler_class(connection):
    base = connection.ops.compiler("SQLCompiler")
    compiler_class = _compiler_classes.get(base)
    if compiler_class is None:

        class PrecompiledCompiler(base):
            def as_sql(self, with_limits=True, with_col_aliases=False):
                compiled = self.query.compiled
                vars(self).update(compiled.state)
                return compiled.sql, compiled.params_for(self.connection, self.query.flat)

            def get_converters(self, expressions):
                # Always the kept columns: Django would ask each of them again, every call.
                # Kept by the connection (they may hold it), and gone with it.
                kept = vars(self.connection).setdefault("precompiled_converters", {})
                converters = kept.get(self.query.compiled)
                if converters is None:
                    converters = super().get_converters(expressions)
                    kept[self.query.compiled] = converters
                return converters

        compiler_class = _compiler_classes[base] = PrecompiledCompiler
    return compiler_class
