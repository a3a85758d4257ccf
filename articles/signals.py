from django.dispatch import Signal

# Sent after a bulk status change that bypasses save(): kwargs `queryset_model`, `count`.
comments_moderated = Signal()
