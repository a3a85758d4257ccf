from django.apps import AppConfig


class DeliveryConfig(AppConfig):
    """Serving at scale: the page cache, its invalidation, health checks, replica routing."""

    name = "delivery"
    verbose_name = "Delivery"

    def ready(self):
        from ads.slots import CANDIDATES_KEY, render_slot
        from delivery import holes, invalidation, timestamps

        invalidation.connect()
        timestamps.connect()
        holes.register("ad_slot", render_slot, prefetch=CANDIDATES_KEY)
