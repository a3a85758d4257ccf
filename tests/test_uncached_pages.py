"""The uncached path: what every page costs when the page cache cannot help."""

import pytest
from django.db import connection

pytestmark = pytest.mark.django_db


@pytest.mark.postgres
def test_postgresql_connections_do_not_jit_compile_queries():
    # At 100,000 stories JIT compiling one page's queries took over a second.
    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone()[0] == "off"
