import csv

from django.contrib import admin
from django.db.models import Count, Q
from django.http import HttpResponse
from django.utils import timezone

from newsletter.models import Digest, Subscriber

# Every stored fact about a subscriber: shown read-only and exported.
CSV_COLUMNS = [
    "email",
    "status",
    "source",
    "consented_at",
    "confirmed_at",
    "unsubscribed_at",
    "created_at",
]


def csv_cell(value):
    text = (
        "" if value is None else (value.isoformat() if hasattr(value, "isoformat") else str(value))
    )
    # A leading =, +, - or @ would run as a formula in a spreadsheet.
    return f"'{text}" if text[:1] in {"=", "+", "-", "@"} else text


@admin.register(Subscriber)
class SubscriberAdmin(admin.ModelAdmin):
    list_display = ["email", "status", "source", "consented_at", "confirmed_at", "unsubscribed_at"]
    list_filter = ["status", "consented_at"]
    search_fields = ["email", "source"]
    date_hierarchy = "consented_at"
    # Consent is the reader's to give: the desk sees it, exports it, and can end it.
    readonly_fields = CSV_COLUMNS
    actions = ["export_csv", "unsubscribe_selected"]

    def has_add_permission(self, request):
        return False

    @admin.action(description="Unsubscribe selected subscribers", permissions=["change"])
    def unsubscribe_selected(self, request, queryset):
        for subscriber in queryset:
            subscriber.unsubscribe()
        self.message_user(request, f"Unsubscribed {len(queryset)} subscriber(s).")

    @admin.action(description="Export selected subscribers as CSV", permissions=["view"])
    def export_csv(self, request, queryset):
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        stamp = timezone.now().strftime("%Y%m%d-%H%M")
        response["Content-Disposition"] = f'attachment; filename="subscribers-{stamp}.csv"'
        writer = csv.writer(response)
        writer.writerow(CSV_COLUMNS)
        for subscriber in queryset.order_by("email").iterator():
            writer.writerow([csv_cell(getattr(subscriber, column)) for column in CSV_COLUMNS])
        return response


@admin.register(Digest)
class DigestAdmin(admin.ModelAdmin):
    """The send log: read-only, written by `manage.py send_newsletter`."""

    list_display = ["subject", "created_at", "finished_at", "readers"]
    readonly_fields = ["subject", "created_at", "finished_at", "articles", "readers"]

    def get_queryset(self, request):
        sent = Count("deliveries", filter=Q(deliveries__sent_at__isnull=False))
        return super().get_queryset(request).annotate(readers_count=sent)

    @admin.display(description="sent to", ordering="readers_count")
    def readers(self, digest):
        return digest.readers_count

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
