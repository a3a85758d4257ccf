from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.http import JsonResponse
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.views.decorators.http import require_POST
from js_asset import Media

from articles.forms import ACTION_LABELS, ArticleAdminForm
from articles.images import reencode_image
from articles.models import AnalysisBox, Article, Byline, EditorImage, Status, WorkflowError


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
    extra = 0
    autocomplete_fields = ["author"]
    fields = ["author", "heading", "after_paragraph", "body"]


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
    inlines = [BylineInline, AnalysisBoxInline]
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
        js = ["articles/admin/editor-image-upload.js"]
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
        return super().render_change_form(request, context, add, change, form_url, obj)

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        action = form.cleaned_data.get("workflow_action")
        if action:
            # Same transaction as the save: a refused step leaves nothing half-written.
            self._apply(form.instance, action, request.user, form.cleaned_data)
            messages.success(request, f"{ACTION_LABELS[action]}: done.")

    @staticmethod
    def _apply(article, action, user, data):
        note = data.get("workflow_note", "")
        if action == "publish":
            article.publish(by=user, at=data.get("workflow_publish_at"), note=note)
        else:
            getattr(article, action)(by=user, note=note)

    # List actions: the same model methods, one story at a time, each reported.

    def _bulk(self, request, queryset, action, data=None):
        done, refused = 0, []
        for article in queryset:
            try:
                self._apply(article, action, request.user, data or {})
                done += 1
            except (PermissionDenied, WorkflowError) as error:
                refused.append(f"“{article}”: {error}")
        if done:
            self.message_user(
                request, f"{ACTION_LABELS[action]}: {done} stor{'y' if done == 1 else 'ies'}."
            )
        if refused:
            self.message_user(request, "Not changed — " + "; ".join(refused), messages.WARNING)

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
        return [
            path(
                "upload-image/",
                self.admin_site.admin_view(self.upload_image_view),
                name="articles_article_upload_image",
            ),
            *super().get_urls(),
        ]

    def upload_image_view(self, request):
        return _upload_image(request)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "upload_image_url": reverse("admin:articles_article_upload_image"),
        }
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
