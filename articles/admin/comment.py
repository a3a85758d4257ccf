from django.contrib import admin
from django.utils import timezone

from articles.models import Comment, CommentStatus


@admin.register(Comment)
class CommentAdmin(admin.ModelAdmin):
    list_display = ["name", "short_body", "article", "status", "created_at", "moderated_by"]
    list_filter = ["status", "created_at"]
    list_select_related = ["article", "moderated_by"]
    search_fields = ["body", "name", "email", "article__headline"]
    readonly_fields = ["article", "created_at", "moderated_by", "moderated_at"]
    fields = [
        "article",
        "name",
        "email",
        "body",
        "status",
        "created_at",
        "moderated_by",
        "moderated_at",
    ]
    date_hierarchy = "created_at"
    actions = ["approve", "reject", "mark_spam"]

    def has_add_permission(self, request):
        return False  # comments come from readers

    @admin.display(description="comment")
    def short_body(self, obj):
        return obj.body if len(obj.body) <= 80 else obj.body[:79] + "…"

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
