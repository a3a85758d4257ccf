"""The comment rules: what becomes of a comment a reader sends, and who hears of it.

A comment is refused (and the reader's form, with their text, is shown again saying why) when
the story is closed, the form is invalid or a day old, the sender is over the rate limit, or
the same commenter already posted the same words. Everything else is stored: a suspected bot
is held as spam, a comment with too many links or a blocked word waits for an editor, a
trusted commenter is approved at once. A held comment is kept, never dropped.
"""

import functools
import logging
import re
import time
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import signing
from django.core.cache import cache
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from redis.exceptions import RedisError

from articles.models import BannedCommenter, BlockedWord, Comment, CommentStatus
from articles.models.comment import (
    PAGE_COMMENT_FIELDS,
    comment_fingerprint,
    normalize_email,
    private_hash,
)
from newsroom.precompiled import Precompiled

logger = logging.getLogger(__name__)

FORM_STAMP_SALT = "articles.comment-form"
SESSION_KEY = "own_held_comments"
LINK = re.compile(r"https?://|www\.", re.IGNORECASE)


class CommentRefusedError(Exception):
    """The comment was not stored; the form carries the reason, the status is the HTTP one."""

    def __init__(self, status):
        super().__init__(status)
        self.status = status


@dataclass(frozen=True)
class Sender:
    """What we keep of who sent a comment: a hash of the address, never the address."""

    ip_hash: str
    user_agent: str

    @classmethod
    def from_request(cls, request):
        # X-Forwarded-For lists hops; only the last, added by our own proxy, cannot be forged.
        header = request.META.get(settings.NEWSROOM_COMMENTS_IP_HEADER, "")
        address = header.split(",")[-1].strip()
        return cls(
            ip_hash=private_hash("ip", address) if address else "",
            user_agent=request.META.get("HTTP_USER_AGENT", "")[:300],
        )


# The signed timestamp of the form: when the page with the form was served, and for which story.


def form_token(article, issued_at=None):
    issued_at = time.time() if issued_at is None else issued_at
    return _signed_stamp(article.pk, int(issued_at), settings.SECRET_KEY)


@functools.lru_cache(maxsize=256)
def _signed_stamp(article_pk, at, secret_key):
    # The same stamp for every page of a story served within a second: signing it again for
    # each was about 1% of the article page's CPU.
    return signing.dumps({"article": article_pk, "at": at}, key=secret_key, salt=FORM_STAMP_SALT)


def form_age(token, article):
    """Seconds since the form was served, or None when the token is missing or forged."""
    try:
        payload = signing.loads(token or "", salt=FORM_STAMP_SALT)
    except signing.BadSignature:
        return None
    if not isinstance(payload, dict) or payload.get("article") != article.pk:
        return None
    issued_at = payload.get("at")
    return time.time() - issued_at if isinstance(issued_at, int) else None


def submit_comment(article, form, sender):
    """Store the comment in `form` (a bound CommentForm) with the status the rules give it.

    Raises CommentRefusedError, with the reason added to the form, when it is not stored.
    """
    closed = article.comments_closed_reason
    if closed:
        _refuse(form, closed, 403)
    if not form.is_valid():
        raise CommentRefusedError(400)
    age = form_age(form.cleaned_data["issued"], article)
    if age is not None and age > settings.NEWSROOM_COMMENTS_FORM_MAX_AGE:
        _refuse(
            form,
            "This form was opened more than a day ago. Check your comment and send it again.",
            400,
        )
    comment = form.save(commit=False)
    comment.article = article
    comment.parent = form.replying_to
    comment.ip_hash, comment.user_agent = sender.ip_hash, sender.user_agent
    if _is_duplicate(comment):
        _refuse(form, "You have already posted this comment on this story.", 409)
    if not _within_rate_limit(sender):
        _refuse(
            form,
            "You have sent several comments in a short time. "
            "Wait a few minutes, then send this one again: your text is kept below.",
            429,
        )
    comment.status, comment.hold_reason = judge(comment, form.cleaned_data["website"], age)
    try:
        with transaction.atomic():
            comment.save()
    except IntegrityError:  # the same comment, sent twice at once
        _refuse(form, "You have already posted this comment on this story.", 409)
    if comment.status == CommentStatus.PENDING and settings.NEWSROOM_COMMENTS_NOTIFY == "immediate":
        transaction.on_commit(_notify_now)
    return comment


def judge(comment, honeypot, age):
    """The status a new comment gets, and why it was held ("" when it was not)."""
    if honeypot:
        return CommentStatus.SPAM, "The hidden honeypot field was filled in."
    if age is None:
        return CommentStatus.SPAM, "The form's signed timestamp was missing or forged."
    if age < settings.NEWSROOM_COMMENTS_MIN_SECONDS:
        return CommentStatus.SPAM, f"Sent {age:.1f} s after the form was served."
    if BannedCommenter.objects.matching(comment.email).exists():
        return CommentStatus.SPAM, "The commenter is banned."
    links = len(LINK.findall(comment.body))
    if links > settings.NEWSROOM_COMMENTS_MAX_LINKS:
        return CommentStatus.PENDING, f"{links} links."
    blocked = blocked_word_in(comment.name, comment.email, comment.body)
    if blocked:
        return CommentStatus.PENDING, f"Contains the blocked “{blocked}”."
    if is_trusted(comment.email):
        return CommentStatus.APPROVED, ""
    return CommentStatus.PENDING, ""


def blocked_word_in(*texts):
    """The first blocklist entry found as a whole word or phrase in the texts, or ""."""
    text = " ".join(" ".join(t.split()) for t in texts).casefold()
    for phrase in BlockedWord.objects.values_list("phrase", flat=True):
        if re.search(rf"(?<!\w){re.escape(phrase)}(?!\w)", text):
            return phrase
    return ""


def is_trusted(email):
    needed = settings.NEWSROOM_COMMENTS_TRUSTED_AFTER
    if needed <= 0:
        return False
    return Comment.objects.by_commenter(email).approved()[:needed].count() >= needed


def _is_duplicate(comment):
    comment.fingerprint = comment_fingerprint(comment.email, comment.body)
    return comment.article.comments.filter(fingerprint=comment.fingerprint).exists()


def _within_rate_limit(sender):
    """Count this comment against the sender's address; False when over the limit."""
    key = f"comments:rate:{sender.ip_hash or 'unknown'}"
    window = settings.NEWSROOM_COMMENTS_RATE_WINDOW
    try:
        cache.add(key, 0, timeout=window)
        try:
            count = cache.incr(key)
        except ValueError:  # the window ended between add and incr
            cache.set(key, 1, timeout=window)
            count = 1
    except RedisError as error:
        # A cache outage must not lose the reader's comment: it is judged by the other rules.
        logger.warning("Comment rate limit not counted, the cache is unreachable: %s", error)
        return True
    return count <= settings.NEWSROOM_COMMENTS_RATE_LIMIT


def _refuse(form, message, status):
    form.add_error(None, message)
    raise CommentRefusedError(status)


# What the reader sees of their own held comments, for their session.


def remember_own_comment(session, comment):
    if comment.is_held:
        session[SESSION_KEY] = [*session.get(SESSION_KEY, [])[-49:], comment.pk]


def own_held_comments(session, article):
    ids = session.get(SESSION_KEY)
    if not ids:
        return []
    return list(article.comments.held().filter(pk__in=ids))


@dataclass
class CommentPage:
    """One page of a story's comment threads, each with `thread_replies` under it."""

    threads: list
    number: int
    has_older: bool

    @property
    def has_newer(self):
        return self.number > 1

    @property
    def older_number(self):
        return self.number + 1

    @property
    def newer_number(self):
        return self.number - 1


def thread_starters(article):
    """The story's approved comments that begin a thread: those that reply to nothing, and
    replies whose parent is no longer shown."""
    return Comment.objects.approved().filter(
        Q(parent=None) | ~Q(parent__status=CommentStatus.APPROVED), article=article
    )


def _page_comments(start, per_page, article):
    """The story's approved comments in the order they were posted: all of them when `start`
    is None, else those of the `per_page` threads from `start` on, newest first, and of one
    thread more, which says whether there are older ones."""
    approved = (
        Comment.objects.approved()
        .filter(article=article)
        .order_by("created_at", "pk")
        # What a reader sees: never the commenters' emails or the moderation record.
        .only(*PAGE_COMMENT_FIELDS)
    )
    if start is None:
        return approved
    shown = (
        thread_starters(article)
        .order_by("-created_at", "-pk")
        .values("pk")[start : start + per_page + 1]
    )
    return approved.filter(Q(pk__in=shown) | Q(parent__in=shown))


# Built and compiled once per process and page (newsroom/precompiled.py).
PAGE_COMMENTS = Precompiled(_page_comments)


def comment_page(article, number=1, own_held=()):
    """Page `number` of the story's comment threads, in one query: page 1 has the newest
    NEWSROOM_COMMENTS_THREADS_PER_PAGE threads, page 2 the ones before them, and so on; each
    page reads in the order the comments were posted. The reader's own held comments (from
    `own_held_comments`) are shown where they belong.
    """
    per_page = settings.NEWSROOM_COMMENTS_THREADS_PER_PAGE
    # A story's threads fit on one page when its approved comments do (`for_listing()` counts
    # them): then they are read without the paging subqueries, which cost more to build.
    if number > 1 or getattr(article, "comment_count", per_page + 1) > per_page:
        start = (number - 1) * per_page
    else:
        start = None
    # All of them at once: what the story's row says of them, if it says what they are.
    approved = article.read_approved_comments() if start is None else None
    if approved is None:
        approved = list(PAGE_COMMENTS(start, per_page, article=article.pk))
    ids = {c.pk for c in approved}
    starters = [c for c in approved if c.parent_id not in ids]
    has_older = len(starters) > per_page
    if has_older:
        oldest = starters[0].pk
        approved = [c for c in approved if oldest not in (c.pk, c.parent_id)]
    threads = _threads(approved, own_held, first_page=number == 1)
    return CommentPage(threads=threads, number=number, has_older=has_older)


def _threads(approved, own_held, *, first_page):
    """Thread starters in the order they were posted, each with its replies under it. The
    reader's held comments join their thread; a held new thread is on the first page."""
    on_page = {c.pk: c for c in approved}
    comments = sorted([*approved, *own_held], key=lambda c: (c.created_at, c.pk))
    for comment in comments:
        comment.thread_replies = []
    threads = []
    for comment in comments:
        parent = on_page.get(comment.parent_id)
        if parent is not None:
            parent.thread_replies.append(comment)
        elif comment.pk in on_page or (first_page and comment.parent_id is None):
            threads.append(comment)
    return threads


def thread_page_number(comment):
    """The page of the story's comments that shows `comment`'s thread."""
    if comment.parent_id is None:
        return 1  # a new thread is the newest
    parent = comment.parent
    newer = (
        thread_starters(comment.article_id)
        .filter(
            Q(created_at__gt=parent.created_at) | Q(created_at=parent.created_at, pk__gt=parent.pk)
        )
        .count()
    )
    return newer // settings.NEWSROOM_COMMENTS_THREADS_PER_PAGE + 1


# Moderators and commenters' data.


def moderator_emails():
    can_moderate = Q(
        groups__permissions__codename="change_comment",
        groups__permissions__content_type__app_label="articles",
    ) | Q(
        user_permissions__codename="change_comment",
        user_permissions__content_type__app_label="articles",
    )
    users = get_user_model().objects.filter(is_active=True, is_staff=True)
    emails = users.filter(Q(is_superuser=True) | can_moderate).exclude(email="")
    return sorted(set(emails.values_list("email", flat=True)))


def notify_moderators():
    """Email the moderators about every pending comment they have not heard of yet.

    Returns how many comments the email listed (0: no email was sent).
    """
    recipients = moderator_emails()
    if not recipients:
        return 0
    with transaction.atomic():
        waiting = list(
            Comment.objects.pending()
            .filter(moderators_notified_at=None)
            .select_related("article")
            .select_for_update(of=("self",))
            .order_by("created_at", "pk")
        )
        if not waiting:
            return 0
        Comment.objects.filter(pk__in=[c.pk for c in waiting]).update(
            moderators_notified_at=timezone.now()
        )
        count = len(waiting)
        context = {
            "comments": waiting,
            "count": count,
            "site_url": settings.NEWSROOM_SITE_URL,
            "queue_url": settings.NEWSROOM_SITE_URL
            + reverse("admin:articles_comment_changelist")
            + "?status__exact=pending",
        }
        for comment in waiting:
            comment.admin_url = settings.NEWSROOM_SITE_URL + reverse(
                "admin:articles_comment_change", args=[comment.pk]
            )
        send_mail(
            f"{count} comment{'s' if count != 1 else ''} awaiting moderation",
            render_to_string("articles/email/comments_waiting.txt", context),
            None,
            recipients,
        )
    return count


def _notify_now():
    try:
        notify_moderators()
    except Exception:  # the comment is stored; the digest command sends what failed here
        logger.exception("Could not email the moderators about a waiting comment")


def ban_commenters(comments, *, by, reason=""):
    """Ban the authors of these comments and mark what they have waiting as spam."""
    emails = set(comments.values_list("email", flat=True))
    for email in emails:
        BannedCommenter.ban(email, by=by, reason=reason)
    Comment.objects.filter(email__in=emails).held().moderate(CommentStatus.SPAM, by=by)
    return len(emails)


def erase_commenters(emails):
    """Delete every comment by these commenters (a data-deletion request). Returns the count."""
    with transaction.atomic():
        deleted, _ = Comment.objects.filter(email__in={normalize_email(e) for e in emails}).delete()
    return deleted
