"""The reader's pages read the time zone, language and script prefix once per render
(newsroom/rendering.py) and print what Django's own functions would have given."""

from datetime import UTC, datetime

import jinja2
import pytest
from django.template import engines
from django.test.utils import override_script_prefix
from django.utils import timezone, translation
from django.utils.safestring import mark_safe
from jinja2 import pass_context
from markupsafe import Markup, escape

from articles import reader_dates
from articles.paths import public_path
from newsroom import rendering

MOMENT = datetime(2022, 2, 24, 4, 5, 6, tzinfo=UTC)


def render(text, **context):
    return engines["jinja2"].from_string(text).render(context)


def render_django(text, **context):
    return engines["django"].from_string(text).render(context)


def test_a_render_uses_what_was_active_when_it_began():
    text = "{{ value|day_month_year_time_zone }} {{ url('articles:tag', slug='belarus') }}"
    with (
        timezone.override("Asia/Tokyo"),
        translation.override("de"),
        override_script_prefix("/news/"),
    ):
        assert render(text, value=MOMENT) == "24 Februar 2022, 13:05 JST /news/tags/belarus/"
    assert render(text, value=MOMENT) == "24 February 2022, 04:05 UTC /tags/belarus/"


def test_what_a_render_read_is_forgotten_when_it_ends():
    with timezone.override("Asia/Tokyo"):
        render("{{ value|iso_time }}", value=MOMENT)
    assert rendering._rendered_for.get() is None
    # Outside a render the same helpers ask Django each time.
    with translation.override("de"), override_script_prefix("/news/"):
        assert reader_dates.day_month_year(MOMENT) == "24 Februar 2022"
        assert public_path("articles:tag", slug="belarus") == "/news/tags/belarus/"
        assert rendering.local_time(MOMENT) == timezone.template_localtime(MOMENT)


def test_a_render_within_a_render_gives_back_the_outer_ones():
    inner = engines["jinja2"].from_string("{{ value|day_month_year_time_zone }}")
    with timezone.override("Asia/Tokyo"), rendering.rendering():
        outer = rendering._rendered_for.get()
        assert inner.render({"value": MOMENT}) == "24 February 2022, 13:05 JST"
        assert rendering._rendered_for.get() is outer


@pytest.mark.parametrize("value", [MOMENT, datetime(2022, 2, 24, 4, 5, 6)])
def test_without_time_zones_times_print_as_they_are(settings, value):
    settings.USE_TZ = False
    expected = render_django('{{ value|date:"j F Y, H:i" }}', value=value)
    assert (
        render("{{ value|day_month_year_time }}", value=value)
        == expected
        == ("24 February 2022, 04:05")
    )


def test_within_a_render_the_copy_is_read_not_django():
    # Nothing in a page activates another zone or language while it renders; were it to,
    # the page would still print what it began with.
    with rendering.rendering(), timezone.override("Asia/Tokyo"), translation.override("de"):
        assert rendering.local_time(MOMENT).tzinfo is timezone.get_default_timezone()
        assert reader_dates.day_month_year(MOMENT) == "24 February 2022"


class Html:
    def __html__(self):
        return "<em>made safe</em>"


@pytest.mark.parametrize(
    "value",
    [
        "<script>alert('x')</script> & \"quoted\"",
        "Ünïcode — “quotes” & <b>",
        "",
        42,
        3.5,
        None,
        ["<li>", "&"],
        Markup("<strong>kept</strong>"),
        Html(),
    ],
    ids=repr,
)
def test_a_value_is_escaped_as_markupsafe_escapes_it(value):
    # The reader's templates escape through newsroom.templating.escape_text, not markupsafe's
    # own escape(): the text must be the same, inside a macro or a loop as at the top.
    expected = str(escape(value))
    assert render("{{ value }}", value=value) == expected
    macro = "{% macro shown(v) %}[{{ v }}]{% endmacro %}"
    macro += "{% for v in [value] %}{{ shown(v) }}{% endfor %}"
    assert render(macro, value=value) == f"[{expected}]"
    assert render("{% autoescape false %}{{ value }}{% endautoescape %}", value=value) == str(value)


def test_a_missing_value_prints_nothing():
    assert render("[{{ nothing }}][{{ nothing.at.all }}]") == "[][]"


class Callables:
    name = "story"

    def plain(self, suffix=""):
        return f"{self.name}{suffix}"

    @pass_context
    def with_context(self, context, suffix=""):
        return f"{context['who']}{suffix}"

    def stops(self):
        raise StopIteration


class CallableWithContext:
    @pass_context
    def __call__(self, context):
        return context["who"]


def test_templates_call_functions_methods_and_macros_as_jinja2_does():
    # newsroom.templating.CallingContext calls these straight away, and asks the rest of
    # Jinja2's own way: what each one gives is the same.
    context = {"who": "reader", "obj": Callables(), "tell": CallableWithContext()}
    context["shout"] = lambda text, end="!": text.upper() + end
    context["greet"] = pass_context(lambda ctx, name: f"{ctx['who']} greets {name}")
    text = (
        "{% macro twice(v) %}{{ v }}{{ v }}{% endmacro %}"
        "{{ obj.plain() }} {{ obj.plain(suffix='s') }} {{ obj.with_context('!') }} "
        "{{ shout('hi') }} {{ shout('hi', end='?') }} {{ greet('you') }} {{ tell() }} "
        "{% for i in [1] %}{{ twice(i) }} {{ obj.with_context() }}{% endfor %} "
        "[{{ obj.stops() }}] {{ dict(a=1).a }} {{ range(3)|list|length }}"
    )
    expected = "story storys reader! HI! HI? reader greets you reader 11 reader [] 1 3"
    assert render(text, **context) == expected
    assert jinja2.Environment(autoescape=True).from_string(text).render(context) == expected


@pytest.mark.parametrize(
    "value",
    [
        "One line.",
        "First line\nsecond line.\n\nA paragraph.\r\n\r\n\r\n"
        "And <script>alert('x')</script> & \"this\"",
        "\n\nLeading and trailing\n\n",
        "",
        mark_safe("<b>Safe</b>\n\nkept"),
        Markup("<i>Jinja's markup</i>\nescaped as Django escapes it"),
        42,
    ],
    ids=repr,
)
def test_line_break_filters_print_what_djangos_print(value):
    # newsroom.templating's own linebreaks and linebreaksbr, which a comment's body uses.
    for name in ("linebreaks", "linebreaksbr"):
        ours = render(f"{{{{ value|{name} }}}}", value=value)
        assert ours == render_django(f"{{{{ value|{name} }}}}", value=value), name


# Three levels of `{% extends %}`, as the article page has, with what a block can do.
LAYERED = {
    "base.html": (
        "<title>{% block title %}Site{% endblock %}</title>"
        "{% block body %}<p>{{ greeting }}</p>{% endblock %}"
        "{% for part in parts %}{% block part scoped %}[{{ part }}]{% endblock %}{% endfor %}"
        "<footer>{{ self.title() }}</footer>"
    ),
    "section.html": (
        '{% extends "base.html" %}'
        "{% block title %}Section · {{ super() }}{% endblock %}"
        "{% block body %}{{ super() }}{% block lead %}<b>lead</b>{% endblock %}{% endblock %}"
    ),
    "story.html": (
        '{% extends "section.html" %}{% from "macros.html" import shout %}'
        "{% block lead %}{% for word in words %}{{ shout(word) }} {% endfor %}"
        '{% include "aside.html" %}{% endblock %}'
        "{% block part %}<{{ part }}>{% endblock %}"
    ),
    "macros.html": "{% macro shout(word) %}{{ word|upper }}{{ mark }}{% endmacro %}",
    "aside.html": "<aside>{{ words|length }} words & {{ greeting }}</aside>",
}


def layered(environment):
    environment.loader = jinja2.DictLoader(LAYERED)
    return environment


def test_blocks_joined_print_what_jinja2_prints():
    # newsroom.templating.TextCodeGenerator sends each block's output up as one piece.
    ours = layered(engines["jinja2"].env.overlay())
    jinjas = layered(jinja2.Environment(autoescape=True))
    # An imported macro sees the globals, not the render's values (`mark`), in both.
    context = {"greeting": "<hello>", "parts": [1, 2], "words": ["a", "b"], "mark": "!"}
    page = ours.get_template("story.html")
    printed = page.render(context)
    assert printed == jinjas.get_template("story.html").render(context)
    assert printed == (
        "<title>Section · Site</title><p>&lt;hello&gt;</p>A B <aside>2 words & &lt;hello&gt;"
        "</aside><1><2><footer>Section · Site</footer>"
    )
    # The block that holds most of the page comes up through the levels above it in one piece.
    assert "<p>&lt;hello&gt;</p>A B <aside>2 words & &lt;hello&gt;</aside>" in list(
        page.generate(context)
    )
    compiled = ours.compile(LAYERED["base.html"], raw=True)
    assert "yield environment.concat(context.blocks[" in compiled


def test_an_import_sees_the_globals_of_the_template_importing_it():
    # newsroom.templating.ReaderTemplate: Jinja2's own answer where a template has globals of
    # its own; the module made once where the environment's are all there are.
    ours = layered(engines["jinja2"].env.overlay())
    own_global = ours.get_template("story.html", globals={"mark": "?"})
    context = {"parts": [], "words": ["x"]}
    assert "X?" in own_global.render(context)
    assert "X!" in ours.from_string(LAYERED["story.html"], globals={"mark": "!"}).render(context)
    plain = ours.from_string('{% from "macros.html" import shout %}{{ shout("y") }}')
    assert plain.render() == "Y"
    assert plain.render(mark=".") == "Y"  # a render's values are not the macros' globals
    assert ours.get_template("macros.html")._module is not None  # made once, and kept


@pytest.mark.parametrize("zone", ["UTC", "Pacific/Kiritimati", "America/Adak"])
def test_now_prints_what_djangos_now_prints(zone):
    # The footer's year comes without the date filter; other formats through it.
    with timezone.override(zone):
        for format_string in ("Y", "j F Y", "y"):
            assert render(f'{{{{ now("{format_string}") }}}}') == render_django(
                f'{{% now "{format_string}" %}}'
            )
