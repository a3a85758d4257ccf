"""What the hypothesis suites share: how many examples, and one transaction per example."""

from contextlib import contextmanager

from django.db import transaction
from hypothesis import HealthCheck, settings


def bounded_examples(count):
    """Bounded examples without a deadline; the fixtures are made once per test, not per example."""
    return settings(
        max_examples=count,
        deadline=None,
        suppress_health_check=[
            HealthCheck.too_slow,
            HealthCheck.data_too_large,
            HealthCheck.function_scoped_fixture,
        ],
    )


@contextmanager
def rolled_back():
    """Run one example in a transaction undone afterwards, so examples do not meet."""
    with transaction.atomic():
        yield
        transaction.set_rollback(True)
