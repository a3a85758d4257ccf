"""What the database's query planner knows of a table, for tests of bulk loads."""

from django.db import connection


def row_estimates(models):
    """The planner's row count for each model's table, by table name; missing before ANALYZE."""
    tables = [model._meta.db_table for model in models]
    marks = ", ".join(["%s"] * len(tables))
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                f"SELECT relname, reltuples FROM pg_class WHERE relname IN ({marks})"  # noqa: S608
                " AND reltuples >= 0",
                tables,
            )
            return {table: int(rows) for table, rows in cursor.fetchall()}
        cursor.execute("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1'")
        if cursor.fetchone() is None:
            return {}
        cursor.execute(
            f"SELECT tbl, stat FROM sqlite_stat1 WHERE tbl IN ({marks})",  # noqa: S608
            tables,
        )
        return {table: int(stat.split()[0]) for table, stat in cursor.fetchall()}
