"""Planner statistics after a bulk load (generate_news, import_content).

PostgreSQL's manual advises ANALYZE after loading many rows: until autovacuum gets to the
tables (never, where it is off) the planner takes them for empty, and the article page's
queries cost the database about six times the CPU (README, "Scale data"). SQLite keeps its own
statistics the same way (`sqlite_stat1`).
"""

from django.db import connection


def analyze(models=None):
    """Fresh statistics for these models' tables, or for the whole database."""
    with connection.cursor() as cursor:
        if models is None:
            cursor.execute("ANALYZE")
            return
        for model in models:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")
