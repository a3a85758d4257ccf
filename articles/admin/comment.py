from django import forms
from django.contrib import admin
from django.contrib.postgres.expressions import ArraySubquery
from django.db import connections
from django.db.models import Count, F, Lookup, Q
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.text import smart_split, unescape_string_literal

from articles.models import Article, BannedCommenter, BlockedWord, Comment, CommentStatus
from articles.models.comment import comment_fingerprint, normalize_email, private_hash
from articles.services import comments


class EqualsAny(Lookup):
    """`lhs = ANY(array)`: PostgreSQL computes an ARRAY(subquery) once and then can look the
    values up in an index, where `lhs IN (subquery)` under an OR is a filter on every row."""

    lookup_name = "equals_any"

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"{lhs} = ANY({rhs})", (*lhs_params, *rhs_params)


class StoryFilter(admin.SimpleListFilter):
    """The stories with the most comments waiting, not every story that ever had one
    (the list stays short with a hundred thousand stories); the story column links here too."""

    title = "story"
    parameter_name = "article"
    shown = 15

    def lookups(self, request, model_admin):
        stories = (
            Article.objects.filter(comments__status=CommentStatus.PENDING)
            .annotate(waiting=Count("comments"))
            .order_by("-waiting", "-pk")[: self.shown]
        )
        choices = [(str(a.pk), f"{a.headline} ({a.waiting})") for a in stories]
        selected = self.value()
        if selected and selected.isdigit() and selected not in dict(choices):
            story = Article.objects.filter(pk=selected).first()
            if story:
                choices.append((selected, story.headline))
        return choices

    def queryset(self, request, queryset):
        value = self.value()
        if value is None:
            return queryset
        return queryset.filter(article_id=int(value)) if value.isdigit() else queryset.none()


class CommentAdminForm(forms.ModelForm):
    class Meta:
        model = Comment
        fields = ["name", "email", "body", "status"]

    def clean(self):
        cleaned = super().clean()
        email, body = cleaned.get("email"), cleaned.get("body")
        if email is None or body is None:
            return cleaned
        # The rule readers meet (one comment per person and text on a story) is a database
        # constraint: say so here rather than let the save fail.
        twin = (
            Comment.objects.filter(
                article_id=self.instance.article_id,
                fingerprint=comment_fingerprint(normalize_email(email), body),
            )
            .exclude(pk=self.instance.pk)
            .first()
        )
        if twin is not None:
            self.add_error(
                "body",
                f"{twin.name} already has a comment with exactly this text on this story "
                f"(posted {timezone.localtime(twin.created_at):%d %b %Y %H:%M}, "
                f"{twin.get_status_display().lower()}). Change the text, or reject one of the two.",
            )
        return cleaned


@admin.register(Comment)
class CommentAdmin(admin.ModelAdmin):
    form = CommentAdminForm
    list_display = [
        "name",
        "short_body",
        "story",
        "status",
        "hold_reason",
        "is_reply",
        "created_at",
        "moderated_by",
    ]
    list_filter = ["status", StoryFilter, "created_at"]
    list_select_related = ["article", "moderated_by"]
    search_fields = ["body", "name", "email", "article__headline"]
    readonly_fields = [
        "article",
        "parent",
        "created_at",
        "hold_reason",
        "ip_hash",
        "user_agent",
        "moderated_by",
        "moderated_at",
    ]
    fields = [
        "article",
        "parent",
        "name",
        "email",
        "body",
        "status",
        "hold_reason",
        "created_at",
        "ip_hash",
        "user_agent",
        "moderated_by",
        "moderated_at",
    ]
    date_hierarchy = "created_at"
    actions = ["approve", "reject", "mark_spam", "ban_commenters", "erase_commenters"]

    def has_add_permission(self, request):
        return False  # comments come from readers

    def has_ban_permission(self, request):
        return request.user.has_perms(["articles.change_comment", "articles.add_bannedcommenter"])

    def get_search_results(self, request, queryset, search_term):
        """The search_fields above, word by word as Django's own search, but with the story's
        headline matched in the stories table: an OR across the join to articles made every
        query read all the comments."""
        for bit in smart_split(search_term):
            if bit.startswith(('"', "'")) and bit[0] == bit[-1]:
                bit = unescape_string_literal(bit)
            stories = Article.objects.filter(headline__icontains=bit).values("pk")
            queryset = queryset.filter(
                Q(body__icontains=bit)
                | Q(name__icontains=bit)
                | Q(email__icontains=bit)
                | self._on_stories(stories, queryset.db)
            )
        return queryset, False

    @staticmethod
    def _on_stories(stories, using):
        if connections[using].vendor == "postgresql":
            # The stories' ids as one array, looked up in the article_id index beside the
            # trigram indexes' scans of the comments' own text.
            return Q(EqualsAny(F("article_id"), ArraySubquery(stories)))
        return Q(article__in=stories)

    @admin.display(description="comment")
    def short_body(self, obj):
        return obj.body if len(obj.body) <= 80 else obj.body[:79] + "…"

    @admin.display(description="story", ordering="article__headline")
    def story(self, obj):
        return format_html(
            '<a href="?article={}" title="Only the comments on this story">{}</a>',
            obj.article_id,
            obj.article.headline,
        )

    @admin.display(description="reply", boolean=True)
    def is_reply(self, obj):
        return obj.parent_id is not None

    def save_model(self, request, obj, form, change):
        if "status" in form.changed_data:
            obj.moderated_by, obj.moderated_at = request.user, timezone.now()
        super().save_model(request, obj, form, change)

    def _moderate(self, request, queryset, status):
        count = queryset.moderate(status, by=request.user)
        label = CommentStatus(status).label.lower()
        self.message_user(request, f"{count} comment{'' if count == 1 else 's'} marked {label}.")

    @admin.action(description="Approve selected comments", permissions=["change"])
    def approve(self, request, queryset):
        self._moderate(request, queryset, CommentStatus.APPROVED)

    @admin.action(description="Reject selected comments", permissions=["change"])
    def reject(self, request, queryset):
        self._moderate(request, queryset, CommentStatus.REJECTED)

    @admin.action(description="Mark selected comments as spam", permissions=["change"])
    def mark_spam(self, request, queryset):
        self._moderate(request, queryset, CommentStatus.SPAM)

    @admin.action(
        description="Ban the commenters of the selected comments (their held comments become spam)",
        permissions=["ban"],
    )
    def ban_commenters(self, request, queryset):
        count = comments.ban_commenters(queryset, by=request.user, reason="Banned from the queue.")
        self.message_user(request, f"{count} commenter{'' if count == 1 else 's'} banned.")

    @admin.action(
        description="Delete all data of the selected commenters (on their request)…",
        permissions=["delete"],
    )
    def erase_commenters(self, request, queryset):
        emails = sorted(set(queryset.values_list("email", flat=True)))
        if request.POST.get("confirm") == "yes":
            count = comments.erase_commenters(emails)
            self.message_user(
                request,
                f"Deleted {count} comment{'' if count == 1 else 's'} "
                f"by {len(emails)} commenter{'' if len(emails) == 1 else 's'}.",
            )
            return None
        return TemplateResponse(
            request,
            "admin/articles/comment/erase_commenters.html",
            {
                **self.admin_site.each_context(request),
                "title": "Delete all data of these commenters",
                "emails": emails,
                "total": Comment.objects.filter(email__in=emails).count(),
                "selected": queryset,
                "action": request.POST["action"],
                "opts": self.model._meta,
                "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
            },
        )


@admin.register(BlockedWord)
class BlockedWordAdmin(admin.ModelAdmin):
    list_display = ["phrase", "note", "created_at"]
    search_fields = ["phrase", "note"]


class BannedCommenterForm(forms.ModelForm):
    email = forms.EmailField(
        help_text="Stored only as a keyed hash, so the address itself is not kept."
    )

    class Meta:
        model = BannedCommenter
        fields = ["reason"]

    def clean_email(self):
        email_hash = private_hash("email", normalize_email(self.cleaned_data["email"]))
        if BannedCommenter.objects.filter(email_hash=email_hash).exists():
            raise forms.ValidationError("This commenter is already banned.")
        self.instance.email_hash = email_hash
        return self.cleaned_data["email"]


@admin.register(BannedCommenter)
class BannedCommenterAdmin(admin.ModelAdmin):
    list_display = ["__str__", "reason", "banned_at", "banned_by"]
    list_select_related = ["banned_by"]
    search_fields = ["reason"]
    readonly_fields = ["banned_by", "banned_at"]

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            kwargs["form"] = BannedCommenterForm
        return super().get_form(request, obj, change, **kwargs)

    def get_fields(self, request, obj=None):
        return ["email", "reason"] if obj is None else ["reason", "banned_by", "banned_at"]

    def save_model(self, request, obj, form, change):
        if not change:
            obj.banned_by = request.user
        super().save_model(request, obj, form, change)

    def get_search_results(self, request, queryset, search_term):
        # An address typed into the search finds its ban through the same hash.
        results, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        if "@" in search_term:
            results |= queryset.matching(search_term)
        return results, may_have_duplicates
