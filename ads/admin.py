from django.contrib import admin

from ads.models import Ad, AdSlot


@admin.register(AdSlot)
class AdSlotAdmin(admin.ModelAdmin):
    list_display = ["name", "key", "width", "height"]
    prepopulated_fields = {"key": ["name"]}


@admin.register(Ad)
class AdAdmin(admin.ModelAdmin):
    list_display = ["name", "slot", "is_active", "starts_at", "ends_at", "weight"]
    list_filter = ["slot", "is_active"]
    list_select_related = ["slot"]
    search_fields = ["name", "text", "target_url"]
