"""The uncached path: what every page costs when the page cache cannot help."""

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from ads.models import Ad, AdSlot
from articles.models import Article
from articles.views import listing
from tests.factories import ArticleFactory, AuthorFactory, SectionFactory

pytestmark = pytest.mark.django_db


@pytest.mark.postgres
def test_postgresql_connections_do_not_jit_compile_queries():
    # At 100,000 stories JIT compiling one page's queries took over a second.
    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone()[0] == "off"


@pytest.mark.postgres
def test_postgresql_plans_for_tables_held_in_memory():
    # Priced as a disk read, an index lookup of one author lost to scanning the whole authors
    # table for each byline: a fifth of PostgreSQL's CPU for an article page.
    with connection.cursor() as cursor:
        cursor.execute("SHOW random_page_cost")
        assert float(cursor.fetchone()[0]) == 1.1


def test_the_planners_page_cost_can_be_set_or_left_to_the_server(monkeypatch):
    from newsroom.settings import postgres_options

    database = {"ENGINE": "django.db.backends.postgresql"}
    monkeypatch.setenv("DATABASE_RANDOM_PAGE_COST", "2")
    assert "-c random_page_cost=2.0" in postgres_options(dict(database))["OPTIONS"]["options"]
    monkeypatch.setenv("DATABASE_RANDOM_PAGE_COST", "")
    assert "random_page_cost" not in postgres_options(dict(database))["OPTIONS"]["options"]


@pytest.mark.postgres
# Outside a test's transaction (psycopg forgets prepared statements on a rollback); the rows
# of the data migrations (groups) are restored for it, as other such tests here do.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_postgresql_prepares_the_queries_a_connection_repeats():
    # Parsing and planning the article page's queries again on every request was half of
    # PostgreSQL's CPU for the page (newsroom/settings.py, DATABASE_PREPARED_STATEMENTS).
    article = ArticleFactory(published=True, tags=2)
    for _ in range(4):
        assert Article.objects.published().for_page().get(pk=article.pk) == article
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        prepared = [row[0] for row in cursor.fetchall()]
    assert any(sql.startswith('SELECT "articles_article"."id"') for sql in prepared), prepared
    assert any('FROM "articles_byline"' in sql for sql in prepared), prepared


def test_prepared_statements_can_be_turned_off_for_a_pooling_proxy(monkeypatch):
    from newsroom.settings import postgres_options

    database = {"ENGINE": "django.db.backends.postgresql", "OPTIONS": {}}
    assert postgres_options(dict(database, OPTIONS={}))["OPTIONS"]["prepare_threshold"] == 3
    monkeypatch.setenv("DATABASE_PREPARED_STATEMENTS", "0")
    options = postgres_options(dict(database, OPTIONS={}))["OPTIONS"]
    assert "prepare_threshold" not in options
    assert "server_side_binding" not in options
    assert "jit=off" in options["options"]


def stories(n, **kwargs):
    now = timezone.now()
    return [
        ArticleFactory(
            published=True,
            created_by=None,
            headline=f"Item {i:02d}",
            publish_at=now - timedelta(hours=i + 1),
            **kwargs,
        )
        for i in range(n)
    ]


@pytest.fixture
def two_pages_at_most(monkeypatch):
    monkeypatch.setattr(listing, "STORIES_PER_PAGE", 5)
    monkeypatch.setattr(listing, "MAX_LIST_PAGES", 2)


@pytest.mark.usefixtures("two_pages_at_most")
def test_lists_stop_at_their_deepest_page_and_say_where_older_stories_are(client):
    author, section = AuthorFactory(slug="steve"), SectionFactory(slug="world")
    for article in stories(12, section=section):
        article.bylines.create(author=author)
        article.tags.add("common")
    for url in ["/", section.get_absolute_url(), author.get_absolute_url(), "/tags/common/"]:
        last = client.get(url, {"page": 2})
        assert last.status_code == 200, url
        page = last.content.decode()
        assert "Page 2 of 2" in page and 'rel="next"' not in page
        assert "Older stories:" in page and 'href="/search/"' in page
        too_deep = client.get(url, {"page": 3})
        assert too_deep.status_code == 404, url
        text = too_deep.content.decode()
        assert "This list goes back 2 pages, to its 10 newest stories." in text
        assert 'href="/search/">Search</a> finds older ones' in text


@pytest.mark.usefixtures("two_pages_at_most")
def test_a_list_that_fits_its_pages_has_no_note_and_plain_404s_past_its_end(client):
    stories(7)
    page = client.get("/", {"page": 2}).content.decode()
    assert "Item 06" in page and "Item 04" not in page
    assert "Older stories:" not in page
    response = client.get("/", {"page": 3})
    assert response.status_code == 404
    assert "This list goes back" not in response.content.decode()
    assert "The story may have moved" in response.content.decode()


@pytest.mark.usefixtures("two_pages_at_most")
def test_each_page_of_a_list_has_its_own_stories_newest_first(client):
    author = AuthorFactory(slug="steve")
    for article in stories(10):
        article.bylines.create(author=author)
    first = client.get(author.get_absolute_url()).content.decode()
    second = client.get(author.get_absolute_url(), {"page": 2}).content.decode()
    assert [f"Item {i:02d}" in first for i in range(10)] == [True] * 5 + [False] * 5
    assert [f"Item {i:02d}" in second for i in range(10)] == [False] * 5 + [True] * 5
    assert second.index("Item 05") < second.index("Item 09")


def test_search_results_are_shared_pages_and_follow_changes(client, editor):
    story = ArticleFactory(published=True, headline="Harbour strike ends", created_by=None)
    first = client.get("/search/", {"q": "harbour"})
    assert "1 story found" in first.content.decode()
    assert "public" in first["Cache-Control"] and "s-maxage" in first["Cache-Control"]
    with CaptureQueriesContext(connection) as queries:
        again = client.get("/search/", {"q": "harbour"})
    assert len(queries) == 0 and again.content == first.content
    other = client.get("/search/", {"q": "nothing like it"}).content.decode()
    assert "No stories match" in other
    story.withdraw(by=editor, note="Wrong.")
    assert "1 story found" not in client.get("/search/", {"q": "harbour"}).content.decode()


def test_uncached_pages_read_navigation_and_ads_once_per_content_version(client, settings):
    settings.NEWSROOM_PAGE_CACHE = False
    slot = AdSlot.objects.create(key="header", name="Header")
    house = Ad.objects.create(slot=slot, name="House", text="Read the briefing", target_url="/")
    article = ArticleFactory(published=True, created_by=None)
    url = article.get_absolute_url()
    with CaptureQueriesContext(connection) as first:
        page = client.get(url).content.decode()
    assert "Read the briefing" in page and article.section.name in page
    with CaptureQueriesContext(connection) as second:
        assert client.get(url).content.decode().count("Read the briefing") == 1
    read = [q["sql"] for q in second.captured_queries]
    assert not any('FROM "articles_section"' in sql and "WHERE" not in sql for sql in read)
    assert not any('FROM "ads_ad"' in sql for sql in read)
    assert len(second) == len(first) - 2
    # Any change replaces the content version: the next page reads them afresh.
    SectionFactory(name="Climate", slug="climate")
    house.is_active = False
    house.save()
    Ad.objects.create(slot=slot, name="Second", text="Subscribe today", target_url="/")
    changed = client.get(url).content.decode()
    assert 'href="/sections/climate/"' in changed
    assert "Subscribe today" in changed and "Read the briefing" not in changed


def headlines(response):
    assert response.status_code == 200
    return re.findall(r'class="teaser__headline"><a href="[^"]*">([^<]*)</a>', response.text)


@pytest.mark.usefixtures("two_pages_at_most")
def test_list_pages_served_one_after_another_each_show_their_own_stories(client, settings):
    # Their queries are compiled once per process and bound with each request's values: the
    # section, author or tag, the time, the page (tests/test_precompiled.py).
    settings.NEWSROOM_PAGE_CACHE = False
    world = SectionFactory(name="World", slug="world", position=1)
    sport = SectionFactory(name="Sport", slug="sport", position=2)
    steve, anna = AuthorFactory(slug="steve"), AuthorFactory(slug="anna")
    now = timezone.now()
    for n in range(8):
        for section, author, tag in [(world, steve, "wires"), (sport, anna, "scores")]:
            article = ArticleFactory(
                published=True,
                created_by=None,
                authors=0,
                section=section,
                headline=f"{section.slug} {n}",
                publish_at=now - timedelta(hours=n + 1),
            )
            article.bylines.create(author=author)
            article.tags.add(tag)
    world_pages = [[f"world {n}" for n in range(5)], [f"world {n}" for n in range(5, 8)]]
    sport_pages = [[f"sport {n}" for n in range(5)], [f"sport {n}" for n in range(5, 8)]]
    expected = {}
    for number in (1, 2):
        world_page, sport_page = world_pages[number - 1], sport_pages[number - 1]
        expected[world.get_absolute_url(), number] = world_page
        expected[sport.get_absolute_url(), number] = sport_page
        expected[steve.get_absolute_url(), number] = world_page
        expected[anna.get_absolute_url(), number] = sport_page
        expected["/tags/wires/", number] = world_page
        expected["/tags/scores/", number] = sport_page
    # Stories of the same time newest created first.
    latest = [f"{slug} {n}" for n in range(8) for slug in ("sport", "world")]
    expected["/", 2] = latest[5:10]
    for _ in range(2):
        for (url, number), stories in expected.items():
            assert headlines(client.get(url, {"page": number})) == stories, (url, number)
        blocks = [f"{slug} {n}" for slug in ("world", "sport") for n in range(4)]
        assert headlines(client.get("/")) == latest[:5] + blocks


def test_a_scheduled_story_joins_the_lists_when_its_time_comes(client, settings, time_machine):
    settings.NEWSROOM_PAGE_CACHE = False
    section, author = SectionFactory(slug="world"), AuthorFactory(slug="steve")
    at = timezone.now() + timedelta(hours=2)
    for headline, publish_at in [("Out already", at - timedelta(hours=3)), ("Embargoed", at)]:
        article = ArticleFactory(
            published=True, created_by=None, authors=0, section=section, headline=headline
        )
        Article.objects.filter(pk=article.pk).update(publish_at=publish_at)
        article.bylines.create(author=author)
        article.tags.add("budget")
    urls = ["/", section.get_absolute_url(), author.get_absolute_url(), "/tags/budget/"]
    for url in urls:
        assert "Embargoed" not in headlines(client.get(url)), url
    time_machine.move_to(at, tick=False)
    for url in urls:
        assert headlines(client.get(url))[:2] == ["Embargoed", "Out already"], url
