from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from ads.models import Ad


@never_cache
@require_safe
def click(request, pk):
    """Count the click and send the reader to the ad's stored URL, and only there."""
    ad = get_object_or_404(Ad.objects.only("target_url"), pk=pk)
    if request.method == "GET":  # link previewers send HEAD; they are not readers
        ad.record_click()
    response = HttpResponseRedirect(ad.target_url)
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response
