"""Pre-publication checks: what the desk must fix (errors) or confirm (warnings) before a
story goes to review or to readers.

The same checks run in the admin form (on what was typed) and in the workflow methods (on what
was saved), so a list action or a script meets them too.
"""

from collections import Counter
from dataclasses import dataclass
from html.parser import HTMLParser
from urllib.parse import urlsplit

from django.conf import settings
from django.urls import Resolver404, resolve
from django.utils import timezone

HEADLINE_LIMIT = 110
ERROR = "error"
WARNING = "warning"


@dataclass(frozen=True)
class Finding:
    level: str
    code: str
    message: str

    @property
    def is_error(self):
        return self.level == ERROR


class _BodyScan(HTMLParser):
    """Collects paragraph texts, images without alt text and link targets of sanitized HTML."""

    def __init__(self):
        super().__init__()
        self.paragraphs, self.images_without_alt, self.links = [], 0, []
        self._paragraph = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "p":
            self._paragraph = []
        elif tag == "img" and not (attrs.get("alt") or "").strip():
            self.images_without_alt += 1
        elif tag == "a" and attrs.get("href"):
            self.links.append(attrs["href"])

    def handle_endtag(self, tag):
        if tag == "p" and self._paragraph is not None:
            self.paragraphs.append(" ".join("".join(self._paragraph).split()))
            self._paragraph = None

    def handle_data(self, data):
        if self._paragraph is not None:
            self._paragraph.append(data)


def scan_html(html):
    scan = _BodyScan()
    scan.feed(html or "")
    scan.close()
    return scan


def linked_article_ids(hrefs):
    """Primary keys of our own article pages among the links (site-relative or on our hosts)."""
    ids = set()
    for href in hrefs:
        parts = urlsplit(href)
        if parts.scheme not in ("", "http", "https"):
            continue
        if parts.netloc and parts.netloc.split(":")[0] not in settings.ALLOWED_HOSTS:
            continue
        try:
            match = resolve(parts.path or "/")
        except Resolver404:
            continue
        if match.view_name == "articles:article_detail":
            ids.add(match.kwargs["pk"])
    return ids


def run_checks(article, *, boxes=None, publish_at=None):
    """Findings for the story as given (it may be unsaved, or hold typed values).

    `boxes` are the analysis boxes to check (the saved ones when omitted), `publish_at` the
    time the desk asked for (None means now).
    """
    if boxes is None:
        boxes = list(article.analysis_boxes.all()) if article.pk else []
    return check_article(article, publish_at=publish_at) + check_boxes(
        boxes, article_pk=article.pk, publish_at=publish_at
    )


def check_article(article, *, publish_at=None):
    findings = []
    if article.hero_image and not (article.hero_alt or "").strip():
        findings.append(
            Finding(ERROR, "hero_alt", "The hero image has no alt text: describe what it shows.")
        )
    body = scan_html(article.body)
    if body.images_without_alt:
        findings.append(_missing_alt(body.images_without_alt, "the story"))
    if not (article.standfirst or "").strip():
        findings.append(
            Finding(
                WARNING,
                "standfirst",
                "There is no standfirst (the summary lead under the headline).",
            )
        )
    if len(article.headline or "") > HEADLINE_LIMIT:
        findings.append(
            Finding(
                WARNING,
                "headline_length",
                f"The headline has {len(article.headline)} characters; "
                f"more than {HEADLINE_LIMIT} get cut off in lists and search results.",
            )
        )
    counts = Counter(p for p in body.paragraphs if p)
    findings += [
        Finding(WARNING, "repeated_paragraph", f"This paragraph appears {n} times: “{text[:80]}”")
        for text, n in counts.items()
        if n > 1
    ]
    if publish_at is not None and publish_at <= timezone.now():
        findings.append(
            Finding(
                WARNING,
                "publish_at_past",
                "This time has passed: the story would appear backdated. Leave the time empty "
                "to publish now, choose a future time, or confirm to publish with this time.",
            )
        )
    return findings + _link_findings(body.links, article.pk, publish_at)


def check_boxes(boxes, *, article_pk=None, publish_at=None):
    findings = []
    for box in boxes:
        name = f"The analysis box “{box.heading or 'Analysis'}”"
        if box.author_id is None:
            findings.append(Finding(ERROR, "box_author", f"{name} has no author."))
        scan = scan_html(box.body)
        if scan.images_without_alt:
            findings.append(_missing_alt(scan.images_without_alt, name.lower()))
        findings += _link_findings(scan.links, article_pk, publish_at)
    return findings


def _missing_alt(count, where):
    return Finding(
        ERROR,
        "image_alt",
        f"{count} image{'s' if count > 1 else ''} in {where} "
        f"{'have' if count > 1 else 'has'} no alt text: describe what each shows.",
    )


def _link_findings(hrefs, article_pk, publish_at):
    """A link to one of our stories that readers cannot see when this one goes live."""
    from articles.models import Article, Status

    linked = linked_article_ids(hrefs) - {article_pk}
    if not linked:
        return []
    goes_live = publish_at or timezone.now()
    headlines = dict(Article.objects.filter(pk__in=linked).values_list("pk", "headline"))
    live = set(
        Article.objects.filter(
            pk__in=linked, status=Status.PUBLISHED, publish_at__lte=goes_live
        ).values_list("pk", flat=True)
    )
    return [
        Finding(
            ERROR,
            "unpublished_link",
            f"The story links to {f'“{headlines[pk]}”' if pk in headlines else f'story #{pk}'}, "
            "which readers cannot see by then.",
        )
        for pk in sorted(linked - live)
    ]
