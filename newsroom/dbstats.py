"""Planner statistics after a bulk load (generate_news, import_content).

PostgreSQL's manual advises ANALYZE after loading many rows: until autovacuum gets to the
tables (never, where it is off) the planner takes them for empty, and the article page's
queries cost the database about six times the CPU (README, "Scale data"). SQLite keeps its own
statistics the same way (`sqlite_stat1`).
"""

from django.db import connection


def analyze(models):
    """Fresh statistics for these models' tables."""
    with connection.cursor() as cursor:
        for model in models:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")


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
