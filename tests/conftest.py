import uuid

import pytest
from django.db import connection

from tests.factories import EditorFactory, ReporterFactory

# Fixtures that start throwaway servers (Redis, nginx) on this issue's own ports.
pytest_plugins = ["tests.servers"]


@pytest.fixture
def reporter(db):
    return ReporterFactory(username="reporter-one")


@pytest.fixture
def other_reporter(db):
    return ReporterFactory(username="reporter-two")


@pytest.fixture
def editor(db):
    return EditorFactory(username="editor-one")


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _cache_per_test(settings):
    # Ad counters, rate limits and cached pages live in the cache: each test gets its own key
    # space (clearing instead would wipe a shared Redis that other runs use).
    settings.CACHES = {
        alias: {**config, "KEY_PREFIX": f"{config.get('KEY_PREFIX', '')}test-{uuid.uuid4().hex}"}
        for alias, config in settings.CACHES.items()
    }


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "postgres" in item.keywords and connection.vendor != "postgresql":
            item.add_marker(
                pytest.mark.skip(reason="needs PostgreSQL: set DATABASE_URL=postgres://...")
            )
