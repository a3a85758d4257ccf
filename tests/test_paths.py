"""Public paths made without reverse() for each are the paths reverse() makes."""

import pytest
from django.urls import NoReverseMatch, reverse, set_script_prefix

from articles.models import Article, Author, Section
from articles.paths import _plain_path, public_path
from newsroom.templating import url


@pytest.fixture
def script_prefix():
    yield set_script_prefix
    set_script_prefix("/")


def test_story_section_and_author_paths_are_the_reversed_ones():
    assert Article(pk=42, slug="minsk-border").get_absolute_url() == reverse(
        "articles:article_detail", kwargs={"pk": 42, "slug": "minsk-border"}
    )
    assert Article(pk=42, slug="minsk-border").get_absolute_url() == "/articles/42/minsk-border/"
    assert Section(slug="world").get_absolute_url() == "/sections/world/"
    assert Author(slug="steve-rosenberg").get_absolute_url() == "/authors/steve-rosenberg/"


def test_paths_follow_the_script_prefix(script_prefix):
    Section(slug="world").get_absolute_url()  # the pattern is made under the first prefix
    public_path("articles:search")
    script_prefix("/news/")
    assert Section(slug="world").get_absolute_url() == "/news/sections/world/"
    assert reverse("articles:section", kwargs={"slug": "world"}) == "/news/sections/world/"
    assert public_path("articles:search") == reverse("articles:search") == "/news/search/"


def test_a_value_that_is_not_plain_goes_through_reverse():
    # A tag slug may hold any letters: reverse() quotes them.
    assert public_path("articles:tag", slug="война") == reverse(
        "articles:tag", kwargs={"slug": "война"}
    )
    assert public_path("articles:tag", slug="war") == "/tags/war/"
    # What the pattern does not match is refused, as by reverse().
    with pytest.raises(NoReverseMatch):
        Section(slug="two words").get_absolute_url()


def test_a_path_linked_again_is_not_put_together_again(script_prefix):
    _plain_path.cache_clear()
    assert Section(slug="world").get_absolute_url() == "/sections/world/"
    assert Section(slug="world").get_absolute_url() == "/sections/world/"
    assert public_path("articles:tag", slug="война") == "/tags/%D0%B2%D0%BE%D0%B9%D0%BD%D0%B0/"
    info = _plain_path.cache_info()
    assert (info.hits, info.misses) == (1, 2)
    # What is kept is the path after the prefix, which each request puts before it.
    script_prefix("/news/")
    assert Section(slug="world").get_absolute_url() == "/news/sections/world/"
    # A site's hundred thousand stories are not all kept.
    assert info.maxsize is not None


@pytest.mark.parametrize(
    ("name", "args", "kwargs"),
    [
        ("articles:home", (), {}),
        ("articles:feed_rss", (), {}),
        ("newsletter:subscribe", (), {}),
        ("articles:tag", (), {"slug": "belarus"}),
        ("articles:post_comment", (), {"pk": 7, "slug": "minsk-border"}),
        ("articles:tag", ("belarus",), {}),
    ],
)
def test_the_templates_url_is_the_reversed_one(script_prefix, name, args, kwargs):
    assert url(name, *args, **kwargs) == reverse(name, args=args or None, kwargs=kwargs or None)
    script_prefix("/news/")
    assert url(name, *args, **kwargs) == reverse(name, args=args or None, kwargs=kwargs or None)
    assert url(name, *args, **kwargs).startswith("/news/")
