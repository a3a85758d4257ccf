from datetime import timedelta

import reversion
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.html import format_html, format_html_join
from django.views.decorators.http import require_POST
from js_asset import Media

from articles import revisions
from articles.forms import ACTION_LABELS, AnalysisBoxFormSet, ArticleAdminForm, ImportTextForm
from articles.images import reencode_image
from articles.ingest import IngestError
from articles.models import (
    AnalysisBox,
    Article,
    Byline,
    Correction,
    EditLock,
    EditorImage,
    PrepublicationError,
    PreviewLink,
    Status,
    WorkflowError,
)
from articles.services.importing import import_story
from articles.services.stale import rows_removed_meanwhile_as_new


class ArticleChildPermissions:
    """Inlines follow the story's own object-level rules: a reporter's own draft only."""

    def _article_editable(self, request, obj):
        return obj is None or obj.can_be_edited_by(request.user)

    def has_add_permission(self, request, obj=None):
        return self._article_editable(request, obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return self._article_editable(request, obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self._article_editable(request, obj) and super().has_delete_permission(request, obj)


class BylineInline(ArticleChildPermissions, admin.TabularInline):
    model = Byline
    extra = 0
    min_num = 1
    autocomplete_fields = ["author"]
    verbose_name = "byline author"
    verbose_name_plural = "Byline (in order)"


class AnalysisBoxInline(ArticleChildPermissions, admin.StackedInline):
    model = AnalysisBox
    formset = AnalysisBoxFormSet
    extra = 0
    autocomplete_fields = ["author"]
    fields = ["author", "heading", "after_paragraph", "body"]


class CorrectionInline(admin.TabularInline):
    """Corrections, clarifications and updates: editors add them to published stories."""

    model = Correction
    extra = 0
    fields = ["kind", "text", "at", "author"]
    readonly_fields = ["author"]

    def _editor_on_published(self, request, obj):
        return (
            obj is not None
            and obj.first_published_at is not None
            and request.user.has_perm("articles.publish_article")
        )

    def has_add_permission(self, request, obj=None):
        return self._editor_on_published(request, obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return self._editor_on_published(request, obj) and super().has_change_permission(
            request, obj
        )

    def has_delete_permission(self, request, obj=None):
        return self._editor_on_published(request, obj) and super().has_delete_permission(
            request, obj
        )

    def has_view_permission(self, request, obj=None):
        published = obj is not None and obj.first_published_at is not None
        return published and super().has_view_permission(request, obj)


class StatusFilter(admin.SimpleListFilter):
    """Status with counts, so the review queue's size is visible at a glance."""

    title = "status"
    parameter_name = "status"

    def lookups(self, request, model_admin):
        counts = dict(Article.objects.values_list("status").annotate(n=Count("pk")).order_by())
        return [(value, f"{label} ({counts.get(value, 0)})") for value, label in Status.choices]

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(status=self.value())
        return queryset


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    form = ArticleAdminForm
    change_form_template = "admin/articles/article/change_form.html"
    list_display = [
        "headline",
        "section",
        "status_display",
        "publish_at",
        "created_by",
        "updated_at",
    ]
    list_filter = [StatusFilter, "section", "created_by"]
    list_select_related = ["section", "created_by"]
    search_fields = ["headline", "standfirst"]
    date_hierarchy = "publish_at"
    prepopulated_fields = {"slug": ["headline"]}
    inlines = [BylineInline, AnalysisBoxInline, CorrectionInline]
    readonly_fields = [
        "status_display",
        "publish_at",
        "first_published_at",
        "created_by",
        "history",
    ]
    fieldsets = [
        (None, {"fields": ["headline", "slug", "standfirst", "section", "body", "tags"]}),
        ("Hero image", {"fields": ["hero_image", "hero_alt", "hero_caption", "hero_credit"]}),
        (
            "Publishing",
            {
                "fields": [
                    "status_display",
                    "publish_at",
                    "first_published_at",
                    "created_by",
                    "comments_open",
                    "suppress_ads",
                ]
            },
        ),
        ("Workflow history", {"fields": ["history"], "classes": ["collapse"]}),
    ]
    actions = [
        "submit_selected",
        "publish_selected",
        "return_selected_to_draft",
        "withdraw_selected",
    ]

    class Media:
        js = ["articles/admin/editor-image-upload.js", "articles/admin/edit-lock.js"]
        css = {"all": ["articles/admin/desk.css"]}

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        form.acting_user = request.user
        return form

    def has_change_permission(self, request, obj=None):
        if obj is None:
            return super().has_change_permission(request)
        return obj.can_be_edited_by(request.user)

    def has_delete_permission(self, request, obj=None):
        if obj is None:
            return super().has_delete_permission(request)
        return super().has_delete_permission(request, obj) and obj.can_be_edited_by(request.user)

    def has_publish_permission(self, request):
        return request.user.has_perm("articles.publish_article")

    @admin.display(description="status", ordering="status")
    def status_display(self, obj):
        if obj.is_scheduled:
            return format_html("Scheduled for {}", obj.publish_at.strftime("%d %b %Y %H:%M %Z"))
        return obj.get_status_display()

    @admin.display(description="history")
    def history(self, obj):
        rows = obj.transitions.select_related("actor") if obj.pk else []
        if not rows:
            return "No workflow steps yet."
        return format_html(
            "<table class='workflow-history'><thead><tr><th>When</th><th>Who</th><th>From</th>"
            "<th>To</th><th>Note</th></tr></thead><tbody>{}</tbody></table>",
            format_html_join(
                "",
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                (
                    (
                        t.at.strftime("%d %b %Y %H:%M"),
                        t.actor.get_username() if t.actor else "—",
                        t.get_from_status_display(),
                        t.get_to_status_display(),
                        t.note,
                    )
                    for t in rows
                ),
            ),
        )

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        article = obj or Article()
        context["workflow_actions"] = [
            (action, ACTION_LABELS[action]) for action in article.allowed_actions(request.user)
        ]
        context["desk_note"] = (
            obj.transitions.select_related("actor").exclude(note="").first() if obj else None
        )
        # The editor's import map is an inline script: the desk's CSP admits it by this nonce.
        context["media"] = Media.from_media(context["media"], nonce=request.csp_nonce)
        if obj and request.method == "GET" and self.has_change_permission(request, obj):
            lock = EditLock.objects.open(obj, request.user)
            context["edit_lock"] = lock
            context["lock_url"] = reverse("admin:articles_article_lock", args=[obj.pk])
            context["take_over_url"] = reverse("admin:articles_article_take_over", args=[obj.pk])
        return super().render_change_form(request, context, add, change, form_url, obj)

    def get_formset_kwargs(self, request, obj, inline, prefix):
        kwargs = super().get_formset_kwargs(request, obj, inline, prefix)
        if "data" in kwargs and obj is not None and obj.pk:
            existing = inline.model._default_manager.filter(article=obj).values_list(
                "pk", flat=True
            )
            kwargs["data"] = rows_removed_meanwhile_as_new(kwargs["data"], prefix, existing)
        return kwargs

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)

    def save_formset(self, request, form, formset, change):
        if formset.model is Correction:
            for correction in formset.save(commit=False):
                correction.author = correction.author or request.user
                correction.save()
            for gone in formset.deleted_objects:
                gone.delete()
            return
        super().save_formset(request, form, formset, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        action = form.cleaned_data.get("workflow_action")
        if action:
            # Same transaction as the save: a refused step leaves nothing half-written.
            self._apply(form.instance, action, request.user, form.cleaned_data)
            reversion.set_comment(f"Saved; {ACTION_LABELS[action].lower()}.")
            messages.success(request, f"{ACTION_LABELS[action]}: done.")

    @staticmethod
    def _apply(article, action, user, data):
        note = data.get("workflow_note", "")
        confirmed = bool(data.get("confirm_warnings"))
        if action == "publish":
            article.publish(
                by=user, at=data.get("workflow_publish_at"), note=note, confirmed=confirmed
            )
        elif action == "submit":
            article.submit(by=user, note=note, confirmed=confirmed)
        else:
            getattr(article, action)(by=user, note=note)

    # List actions: the same model methods, one story at a time, each reported.

    def _bulk(self, request, queryset, action, data=None):
        done, refused = 0, []
        for article in queryset:
            try:
                self._apply(article, action, request.user, data or {})
                done += 1
            except PrepublicationError as error:
                refused.append(f"“{article}”: {error}{self._how_to_confirm(error)}")
            except (PermissionDenied, WorkflowError) as error:
                refused.append(f"“{article}”: {error}")
        if done:
            self.message_user(
                request, f"{ACTION_LABELS[action]}: {done} stor{'y' if done == 1 else 'ies'}."
            )
        if refused:
            self.message_user(request, "Not changed — " + "; ".join(refused), messages.WARNING)

    @staticmethod
    def _how_to_confirm(error):
        if any(finding.is_error for finding in error.findings):
            return ""
        return " (only warnings: open the story to confirm them in its workflow panel)"

    def _with_note(self, request, queryset, action):
        note = request.POST.get("workflow_note", "").strip()
        if "apply" in request.POST and note:
            self._bulk(request, queryset, action, {"workflow_note": note})
            return None
        return TemplateResponse(
            request,
            "admin/articles/article/action_note.html",
            {
                **self.admin_site.each_context(request),
                "title": ACTION_LABELS[action],
                "articles": queryset,
                "action": request.POST["action"],
                "note": request.POST.get("workflow_note", ""),
                "note_missing": "apply" in request.POST and not note,
                "opts": self.model._meta,
                "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
            },
        )

    @admin.action(description="Submit selected for review", permissions=["change"])
    def submit_selected(self, request, queryset):
        self._bulk(request, queryset, "submit")

    @admin.action(description="Publish selected now", permissions=["publish"])
    def publish_selected(self, request, queryset):
        self._bulk(request, queryset, "publish")

    @admin.action(description="Return selected to draft (with a note)", permissions=["publish"])
    def return_selected_to_draft(self, request, queryset):
        return self._with_note(request, queryset, "return_to_draft")

    @admin.action(description="Withdraw selected (with a note)", permissions=["publish"])
    def withdraw_selected(self, request, queryset):
        return self._with_note(request, queryset, "withdraw")

    # Images uploaded from the rich-text editor.

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path(
                "upload-image/",
                view(self.upload_image_view),
                name="articles_article_upload_image",
            ),
            path("import/", view(self.import_view), name="articles_article_import"),
            path(
                "<path:object_id>/lock/",
                view(self.lock_view),
                name="articles_article_lock",
            ),
            path(
                "<path:object_id>/lock/take-over/",
                view(self.take_over_view),
                name="articles_article_take_over",
            ),
            path(
                "<path:object_id>/preview-links/",
                view(self.preview_links_view),
                name="articles_article_preview_links",
            ),
            path(
                "<path:object_id>/revisions/",
                view(self.revisions_view),
                name="articles_article_revisions",
            ),
            path(
                "<path:object_id>/revisions/<int:version_id>/revert/",
                view(self.revert_view),
                name="articles_article_revert",
            ),
            *super().get_urls(),
        ]

    # Importing pasted or scraped copy as a draft.

    def import_view(self, request):
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = ImportTextForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            try:
                result = import_story(
                    form.cleaned_data["source"],
                    user=request.user,
                    section=form.cleaned_data["section"],
                )
            except IngestError as error:
                form.add_error(None, str(error))
            else:
                self._report_import(request, result)
                return redirect("admin:articles_article_change", object_id=result.article.pk)
        return TemplateResponse(
            request,
            "admin/articles/article/import.html",
            {
                **self.admin_site.each_context(request),
                "title": "Import text as a draft",
                "form": form,
                "opts": self.model._meta,
            },
        )

    @staticmethod
    def _report_import(request, result):
        messages.success(
            request,
            f"Imported as a draft. {len(result.dropped)} lines were dropped"
            f"{':' if result.dropped else '.'}",
        )
        if result.dropped:
            messages.info(
                request,
                format_html(
                    "<ul class='import-report'>{}</ul>",
                    format_html_join("", "<li>[{}] {}</li>", result.dropped),
                ),
            )
        for author in result.new_authors:
            messages.info(request, f"New author added: {author}.")

    # Soft locks: who else has the story open. They warn; the stale-save check protects.

    @method_decorator(require_POST)
    def lock_view(self, request, object_id):
        """Heartbeat from the open form: keeps the user's lock alive, says who holds it."""
        article = self._article_or_404(request, object_id, change=True)
        lock = EditLock.objects.keep_alive(article, request.user)
        return JsonResponse(
            {
                "yours": bool(lock and lock.user_id == request.user.pk),
                "holder": lock.user.get_username() if lock else None,
                "since": timezone.localtime(lock.since).strftime("%H:%M") if lock else None,
            }
        )

    @method_decorator(require_POST)
    def take_over_view(self, request, object_id):
        article = self._article_or_404(request, object_id, change=True)
        EditLock.objects.take_over(article, request.user)
        if "application/json" in request.headers.get("Accept", ""):
            # From the open form (edit-lock.js): the page stays, with what was typed in it.
            return JsonResponse({"yours": True, "holder": request.user.get_username()})
        messages.info(request, "You have taken over the story; the other editor is told.")
        return redirect("admin:articles_article_change", object_id=article.pk)

    def response_change(self, request, obj):
        if "_continue" not in request.POST:
            EditLock.objects.release(obj, request.user)
        return super().response_change(request, obj)

    # Preview links: signed, expiring, revocable; for outsiders who cannot log in.

    def preview_links_view(self, request, object_id):
        article = self._article_or_404(request, object_id, change=True)
        if request.method == "POST":
            return self._change_preview_links(request, article)
        links = article.preview_links.select_related("created_by")
        return TemplateResponse(
            request,
            "admin/articles/article/preview_links.html",
            {
                **self.admin_site.each_context(request),
                "title": f"Preview links for “{article}”",
                "article": article,
                "links": links,
                "default_hours": settings.NEWSROOM_PREVIEW_HOURS,
                "opts": self.model._meta,
                "original": article,
            },
        )

    def _change_preview_links(self, request, article):
        revoke = request.POST.get("revoke")
        if revoke:
            link = get_object_or_404(article.preview_links, pk=revoke)
            link.revoke()
            messages.success(request, "The preview link is revoked: it no longer opens.")
        else:
            try:
                hours = int(request.POST.get("hours") or settings.NEWSROOM_PREVIEW_HOURS)
            except ValueError:
                hours = 0
            if not 1 <= hours <= 24 * 30:
                messages.error(request, "Choose how many hours the link works: 1 to 720.")
            else:
                link = PreviewLink.objects.create(
                    article=article,
                    created_by=request.user,
                    expires_at=timezone.now() + timedelta(hours=hours),
                )
                messages.success(
                    request,
                    f"Preview link made: {request.build_absolute_uri(link.get_absolute_url())}",
                )
        return redirect("admin:articles_article_preview_links", object_id=article.pk)

    # Revision history: every admin save is a revision (see changeform_view).

    def _article_or_404(self, request, object_id, *, change=False):
        article = self.get_object(request, object_id)
        if article is None:
            raise Http404("No such story.")
        allowed = (
            self.has_change_permission(request, article)
            if change
            else self.has_view_or_change_permission(request, article)
        )
        if not allowed:
            raise PermissionDenied
        return article

    def revisions_view(self, request, object_id):
        """The story's revisions, and the word-level difference between any two."""
        article = self._article_or_404(request, object_id)
        versions = list(revisions.versions_of(article))
        by_id = {version.pk: version for version in versions}
        diffs, compared = None, None
        older, newer = request.GET.get("from"), request.GET.get("to")
        if older and newer:
            try:
                pair = sorted(
                    [by_id[int(older)], by_id[int(newer)]], key=lambda v: v.revision.date_created
                )
            except (KeyError, ValueError):
                raise Http404("No such revision of this story.") from None
            compared = pair
            diffs = revisions.compare(*pair)
        return TemplateResponse(
            request,
            "admin/articles/article/revisions.html",
            {
                **self.admin_site.each_context(request),
                "title": f"Revisions of “{article}”",
                "article": article,
                "versions": versions,
                "compared": compared,
                "diffs": diffs,
                "can_revert": self.has_change_permission(request, article),
                "opts": self.model._meta,
                "original": article,
            },
        )

    def revert_view(self, request, object_id, version_id):
        article = self._article_or_404(request, object_id, change=True)
        version = get_object_or_404(revisions.versions_of(article), pk=version_id)
        if request.method == "POST":
            try:
                revisions.revert(article, version, by=request.user)
            except revisions.RevertError as error:
                messages.error(request, str(error))
            else:
                messages.success(
                    request,
                    "The story is back to that revision; the revert is saved as a new revision.",
                )
            return redirect("admin:articles_article_revisions", object_id=article.pk)
        latest = revisions.versions_of(article).first()
        return TemplateResponse(
            request,
            "admin/articles/article/revert_confirm.html",
            {
                **self.admin_site.each_context(request),
                "title": "Revert to this revision?",
                "article": article,
                "version": version,
                "diffs": revisions.compare(latest, version) if latest else [],
                "opts": self.model._meta,
                "original": article,
            },
        )

    def upload_image_view(self, request):
        return _upload_image(request)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "upload_image_url": reverse("admin:articles_article_upload_image"),
        }
        if request.method != "POST":
            return super().changeform_view(request, object_id, form_url, extra_context)
        # The story, its boxes and byline as saved here become one revision; a refused form
        # saves nothing, so it makes none.
        with reversion.create_revision():
            reversion.set_user(request.user)
            reversion.set_comment("Created." if object_id is None else "Saved.")
            return super().changeform_view(request, object_id, form_url, extra_context)


@require_POST
def _upload_image(request):
    user = request.user
    if not (user.has_perm("articles.add_article") or user.has_perm("articles.change_article")):
        return JsonResponse({"error": "You may not upload images."}, status=403)
    upload = request.FILES.get("image")
    if upload is None:
        return JsonResponse({"error": "Choose an image file to upload."}, status=400)
    try:
        content = reencode_image(upload)
    except ValidationError as error:
        return JsonResponse({"error": " ".join(error.messages)}, status=400)
    image = EditorImage.objects.create(file=content, uploaded_by=user)
    return JsonResponse({"url": image.file.url, "width": image.width, "height": image.height})
