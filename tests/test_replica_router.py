"""Public reads go to the replica alias; the desk, writes and fresh changes use the primary.

The replica is a second database alias on the same test database, added for these tests
(as DATABASE_REPLICA_URL does in settings), so every query can be told apart by its alias.
"""

import time

import pytest
from django.db import connections
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from articles.models import Comment
from delivery.routers import REPLICA
from tests.factories import ArticleFactory

pytestmark = [
    # Committed rows, so that the replica's own connection sees them; the groups that a data
    # migration made are put back after each test.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.filterwarnings("ignore:Overriding setting DATABASES"),
]


@pytest.fixture
def replica(settings):
    """What DATABASE_REPLICA_URL configures, here a second connection to the test database."""
    primary = connections["default"]
    settings.DATABASES = {**settings.DATABASES, REPLICA: primary.settings_dict}
    settings.NEWSROOM_REPLICA_LAG_SECONDS = 0.2
    connections[REPLICA] = type(primary)({**primary.settings_dict}, alias=REPLICA)
    yield connections[REPLICA]
    connections[REPLICA].close()
    del connections[REPLICA]


def queries_by_alias(request):
    with (
        CaptureQueriesContext(connections["default"]) as primary,
        CaptureQueriesContext(connections[REPLICA]) as replica,
    ):
        response = request()
    return response, len(primary), len(replica)


def test_a_readers_page_is_read_from_the_replica(replica):
    article = ArticleFactory(published=True, comments=2)
    time.sleep(0.3)  # past the lag window of the change above
    response, primary, from_replica = queries_by_alias(
        lambda: Client().get(article.get_absolute_url())
    )
    assert response.status_code == 200 and article.headline in response.content.decode()
    # The story with its comments, its related stories, the navigation and the ads; the
    # primary only for the cache's own bookkeeping: live ads and the next scheduled story.
    assert from_replica >= 4 and primary <= 2


def test_just_after_a_change_readers_use_the_primary(replica):
    # With comments, so that the page reads as much as the replica test's page does.
    article = ArticleFactory(published=True, comments=2)
    _, primary, from_replica = queries_by_alias(lambda: Client().get(article.get_absolute_url()))
    assert from_replica == 0 and primary >= 4


def test_the_desk_and_writes_use_the_primary(replica, django_user_model):
    article = ArticleFactory(published=True)
    time.sleep(0.3)
    staff = Client()
    staff.force_login(django_user_model.objects.create(username="desk", is_staff=True))
    _, primary, from_replica = queries_by_alias(lambda: staff.get(article.get_absolute_url()))
    assert from_replica == 0 and primary >= 5
    url = reverse("articles:post_comment", args=[article.pk, article.slug])
    data = {"name": "Olga", "email": "o@example.com", "body": "Kept on the primary."}
    response, primary, from_replica = queries_by_alias(lambda: Client().post(url, data))
    assert response.status_code == 302 and from_replica == 0
    assert Comment.objects.using("default").get().body == "Kept on the primary."
