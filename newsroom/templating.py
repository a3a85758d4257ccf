"""The Jinja2 environment of the reader's pages (templates/jinja2/).

Readers' pages are rendered by Jinja2, which compiles a template to Python once per process:
the demo story's templates take about 2 ms of CPU where Django's template language took about
4.7 ms (README, "Notes on dependencies"). The desk (admin), emails and feeds keep Django's.
Autoescaping is on, and Django's safe strings (`mark_safe`, form widgets) stay unescaped.
"""

import html
import re
from types import FunctionType, MethodType

import jinja2
import markupsafe
from django.template import defaultfilters
from django.template.backends import jinja2 as django_jinja2
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import SafeData, mark_safe
from jinja2 import ChainableUndefined, pass_context
from jinja2.compiler import CodeGenerator
from jinja2.runtime import Context, Macro

from ads.slots import render_slot
from articles import reader_dates
from articles.paths import public_path
from articles.richtext import safe_rich_text
from delivery.holes import per_response
from newsroom.rendering import local_time, rendering
from newsroom.static_urls import static


class Template(django_jinja2.Template):
    def render(self, context=None, request=None):
        with rendering():
            return super().render(context, request)


class Jinja2(django_jinja2.Jinja2):
    """Django's Jinja2 backend, whose templates read the time zone, the language and the
    script prefix once per render (newsroom.rendering)."""

    def from_string(self, template_code):
        return Template(super().from_string(template_code).template, self)

    def get_template(self, template_name):
        return Template(super().get_template(template_name).template, self)


def url(name, *args, **kwargs):
    """The path of a named URL: `url('articles:tag', slug=tag.slug)` at a fraction of
    reverse()'s cost (articles.paths); with positional arguments, reverse() itself."""
    if args:
        return reverse(name, args=args)
    return public_path(name, **kwargs)


def in_local_time(date_filter):
    """`date_filter` given times in the site's time zone, as Django's templates give a filter
    that expects local time."""
    return lambda value: date_filter(local_time(value))


def date(value, format_string):
    """Django's `date` filter: `{{ article.publish_at|date("j F Y, H:i T") }}`."""
    return defaultfilters.date(local_time(value), format_string)


def now(format_string):
    """Django's `{% now format_string %}`: the time in the active zone, formatted as the `date`
    filter formats it. The footer's year is printed directly: the filter takes 50-140 µs."""
    moment = local_time(timezone.now())
    if format_string == "Y":
        return f"{moment.year:04}"
    return defaultfilters.date(moment, format_string)


@pass_context
def ad_slot(context, key):
    """The slot's ad (ads.slots): a hole each response fills on a page served to a request,
    so a cached page still rotates its ads and counts every showing; elsewhere the ad itself."""
    if context.get("request") is None:
        return mark_safe(render_slot(None, key))  # noqa: S308 - rendered by a template
    return per_response("ad_slot", key)


try:
    # The C function markupsafe.escape() itself calls (MarkupSafe 3): escaped text, as str.
    _escape_inner = markupsafe._escape_inner
except AttributeError:  # another MarkupSafe: its escape(), as text

    def _escape_inner(text):
        return str(markupsafe.escape(text))


def escape_text(value):
    """`markupsafe.escape(value)` as plain text: what `{{ value }}` adds to the page.

    markupsafe.escape() makes a Markup string of each value, copying it; the page joins them
    into one string at once, so that copy was most of the ~1 µs each `{{ value }}` cost.
    """
    if type(value) is str:
        return _escape_inner(value)
    as_html = getattr(value, "__html__", None)
    if as_html is not None:
        return as_html()
    return _escape_inner(str(value))


class TextCodeGenerator(CodeGenerator):
    """Jinja2's compiler, writing each autoescaped `{{ value }}` through `escape_text`, and
    each block's output as one piece of text.

    A template yields its text a piece at a time, and each piece passes through one more
    generator for each level of `{% extends %}` above the block it comes from: the article
    page's ~350 pieces went through three. A block joined first sends one (−2% of the page's
    instructions by callgrind). Jinja2 writes the call to a block as one statement, which is
    changed as it is written; where Jinja2 writes it otherwise, its own code stays. The site
    renders pages whole; a stream (`generate()`) would get each block once it has ended.
    """

    def _output_child_pre(self, node, frame, finalize):
        if frame.eval_ctx.autoescape and not frame.eval_ctx.volatile:
            self.write("environment.escape_text(")
            if finalize.src is not None:
                self.write(finalize.src)
            return
        super()._output_child_pre(node, frame, finalize)

    def writeline(self, x, node=None, extra=0):
        if x.startswith(_YIELD_BLOCK):
            x = "yield environment.concat(" + x.removeprefix("yield from ") + ")"
        super().writeline(x, node, extra)


# How Jinja2 (3.1) writes `{% block %}` where its output goes straight to the caller.
_YIELD_BLOCK = "yield from context.blocks["


class CallingContext(Context):
    """Jinja2's context, calling a plain function, method or macro straight away.

    Jinja2 asks each callable whether it wants the context passed (`pass_context`); for a
    bound method that question raised and caught an AttributeError twice, about 2 µs of the
    ~2.5 µs `{{ article.get_absolute_url() }}` cost. Here it is asked of the function, where
    the answer is a plain attribute lookup.
    """

    def call(__self, __obj, *args, **kwargs):  # noqa: N805 - Jinja2's own signature
        kind = type(__obj)
        if kind is MethodType:
            function = __obj.__func__
        elif kind is FunctionType or kind is Macro:
            function = __obj
        else:
            return super().call(__obj, *args, **kwargs)
        if getattr(function, "jinja_pass_arg", None) is not None:
            return super().call(__obj, *args, **kwargs)
        kwargs.pop("_block_vars", None)
        kwargs.pop("_loop_vars", None)
        try:
            return __obj(*args, **kwargs)
        except StopIteration:
            return __self.environment.undefined(
                "value was undefined because a callable raised a StopIteration exception"
            )


class ReaderTemplate(jinja2.Template):
    """Jinja2's template, whose `{% from … import %}` finds no new globals for less.

    On each import Jinja2 takes the importing render's globals that the imported template
    lacks, to make it a module of its own when there are some: a set difference with a
    ChainMap's keys, Python code for each key, 3% of the article page's instructions for its
    four imports. When every one of them is the environment's, which every template has, that
    difference is empty: the same answer, from one set comparison in C.
    """

    def _get_default_module(self, ctx=None):
        if ctx is not None and ctx.globals_keys <= self.environment.globals.keys():
            ctx = None  # nothing new: the module made once, as Jinja2 would give
        return super()._get_default_module(ctx)


class Environment(jinja2.Environment):
    code_generator_class = TextCodeGenerator
    template_class = ReaderTemplate
    context_class = CallingContext

    def __init__(self, **options):
        super().__init__(**options)
        self.escape_text = escape_text  # read by every compiled `{{ value }}`


_LINE_ENDS = re.compile(r"\r\n|\r")
_PARAGRAPH_BREAKS = re.compile("\n{2,}")


def linebreaks(value):
    """Django's `linebreaks` filter, autoescaping, without its lazy-text checks at each step
    (a fifth of a comment's CPU): paragraphs in <p>, line breaks as <br>."""
    text = str(value)
    paragraphs = _PARAGRAPH_BREAKS.split(_LINE_ENDS.sub("\n", text))
    if not isinstance(text, SafeData):
        paragraphs = [html.escape(paragraph) for paragraph in paragraphs]
    joined = "\n\n".join(f"<p>{paragraph}</p>".replace("\n", "<br>") for paragraph in paragraphs)
    return mark_safe(joined)  # noqa: S308 - escaped above unless it was safe already


def linebreaksbr(value):
    """Django's `linebreaksbr` filter, autoescaping: line breaks as <br>."""
    text = str(value)
    lines = _LINE_ENDS.sub("\n", text)
    if not isinstance(text, SafeData):
        lines = html.escape(lines)
    return mark_safe(lines.replace("\n", "<br>"))  # noqa: S308 - escaped above unless safe


def environment(**options):
    # As in Django's templates, a missing value (or an attribute of one) prints nothing, in
    # development too: Django's backend would print `{{ name }}` there instead.
    options["undefined"] = ChainableUndefined
    # Every compiled template kept, in a plain dict: Jinja2's default keeps 400 behind a lock,
    # moving the one found to the end of a queue on each include and import.
    options.setdefault("cache_size", -1)
    env = Environment(**options)  # noqa: S701 - Django's backend turns autoescape on
    env.globals.update(url=url, static=static, now=now, ad_slot=ad_slot)
    env.filters.update(
        date=date,
        iso_time=in_local_time(reader_dates.iso_time),
        day_month_year=in_local_time(reader_dates.day_month_year),
        day_month_year_time=in_local_time(reader_dates.day_month_year_time),
        day_month_year_time_zone=in_local_time(reader_dates.day_month_year_time_zone),
        linebreaks=linebreaks,
        linebreaksbr=linebreaksbr,
        pluralize=defaultfilters.pluralize,
        truncatechars=defaultfilters.truncatechars,
        urlencode=defaultfilters.urlencode,
        rich_text=safe_rich_text,
    )
    return env
