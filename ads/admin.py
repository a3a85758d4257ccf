from django.contrib import admin
from django.db import models

from ads.impressions import pending_impressions
from ads.models import Ad, AdSlot


@admin.register(AdSlot)
class AdSlotAdmin(admin.ModelAdmin):
    list_display = ["name", "key", "kind", "size"]
    list_filter = ["kind", "size"]
    prepopulated_fields = {"key": ["name"]}


@admin.register(Ad)
class AdAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "slot",
        "is_active",
        "starts_at",
        "ends_at",
        "weight",
        "impressions_to_date",
        "clicks",
        "click_through_rate_display",
    ]
    list_filter = ["slot", "is_active"]
    list_select_related = ["slot"]
    search_fields = ["name", "text", "target_url"]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    readonly_fields = ["impressions_to_date", "clicks", "click_through_rate_display"]
    fieldsets = [
        (None, {"fields": ["slot", "name", "target_url"]}),
        ("Creative", {"fields": ["image", "image_alt", "text"]}),
        ("Schedule", {"fields": ["is_active", "starts_at", "ends_at", "weight"]}),
        (
            "Performance",
            {"fields": ["impressions_to_date", "clicks", "click_through_rate_display"]},
        ),
    ]

    def _impressions(self, ad):
        # Stored count plus what the cache has counted since the last flush.
        return ad.impressions + pending_impressions([ad.pk]).get(ad.pk, 0)

    @admin.display(description="impressions")
    def impressions_to_date(self, ad):
        return self._impressions(ad) if ad.pk else 0

    @admin.display(description="CTR")
    def click_through_rate_display(self, ad):
        rate = ad.click_through_rate(self._impressions(ad)) if ad.pk else None
        return "–" if rate is None else f"{rate:.2%}"
