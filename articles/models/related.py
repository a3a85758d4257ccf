from django.core.exceptions import FullResultSet
from django.db import models
from taggit.models import TaggedItem


class RelatedCandidates(models.Expression):
    """For `pk__in=`: the ids of the stories a related list is drawn from, in one subquery.

    They are the `limit` stories of `queryset` sharing the most of `tag_ids` (then the
    newest), and the `limit` newest stories of `queryset` in section `section_id`: a story of
    the section that shares no tag ranks below every story that shares one, so the winners
    are among these. `queryset` decides which stories may appear (its WHERE is written into
    both parts), so it filters on the stories' own columns only.

    Shared tags are counted in one GROUP BY over the tagged items before the stories are
    looked up, as narrow rows (PostgreSQL reads status and publish_at from an index:
    migration articles/0011); counting them story by story cost PostgreSQL ~20 ms for tags
    that 2,500 stories share. Written out, like RowCount: built and compiled as querysets, the
    same parts made the related query 1.6 ms of CPU (1.25 ms before, 0.63 ms written out).
    """

    output_field = models.BigIntegerField()

    def __init__(self, queryset, *, tag_ids, content_type, section_id, limit):
        super().__init__()
        query = queryset.query
        if any(count for alias, count in query.alias_refcount.items() if alias != query.base_table):
            raise ValueError("Related stories are drawn from a queryset without joins.")
        self.model, self.where = query.model, query.where
        self.tag_ids, self.content_type = list(tag_ids), content_type
        self.section_id, self.limit = section_id, int(limit)

    def as_sql(self, compiler, connection):
        qn = connection.ops.quote_name
        opts, tagged = self.model._meta, TaggedItem._meta
        # Unaliased: the table that the compiled WHERE's columns name, inside each part.
        story = qn(opts.db_table)
        pk, publish_at, section = (
            f"{story}.{qn(field.column)}"
            for field in (opts.pk, opts.get_field("publish_at"), opts.get_field("section"))
        )
        object_id, content_type, tag = (
            qn(tagged.get_field(name).column) for name in ("object_id", "content_type", "tag")
        )
        try:
            where, where_params = compiler.compile(self.where)
            where, where_params = [f"({where})"], list(where_params)
        except FullResultSet:
            where, where_params = [], []
        in_section = " AND ".join([*where, f"{section} = %s"])
        tag_list = ", ".join(["%s"] * len(self.tag_ids))
        newest = f"{publish_at} DESC, {pk} DESC LIMIT {self.limit}"
        # One UNION (an OR of two subqueries made PostgreSQL scan every story), each part a
        # derived table (SQLite takes no LIMIT in a part of a UNION). Only quoted names and
        # integers are written in; every value is a parameter.
        sql = (
            f"SELECT {qn('most_shared')}.{qn('id')} FROM (SELECT {pk} AS {qn('id')} "  # noqa: S608
            f"FROM (SELECT {object_id}, COUNT(*) AS {qn('shared')} "
            f"FROM {qn(tagged.db_table)} WHERE {content_type} = %s AND {tag} IN ({tag_list}) "
            f"GROUP BY {object_id}) {qn('tagged')} "
            f"INNER JOIN {story} ON ({pk} = {qn('tagged')}.{object_id})"
            f"{' WHERE ' + where[0] if where else ''} "
            f"ORDER BY {qn('tagged')}.{qn('shared')} DESC, {newest}) {qn('most_shared')} "
            f"UNION SELECT {qn('newest')}.{qn('id')} FROM (SELECT {pk} AS {qn('id')} "
            f"FROM {story} WHERE {in_section} ORDER BY {newest}) {qn('newest')}"
        )
        params = [self.content_type, *self.tag_ids, *where_params, *where_params, self.section_id]
        return sql, params
