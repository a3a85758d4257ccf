from django.conf import settings
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from newsletter import throttle
from newsletter.forms import SubscribeForm
from newsletter.models import CONFIRM_LINK_MAX_AGE, CONFIRM_SALT, UNSUBSCRIBE_SALT, Subscriber
from newsletter.services import request_subscription
from newsroom.crossorigin import readers_form


# The form sits in the header of every page, so it carries no CSRF token (newsroom/crossorigin.py);
# double opt-in and the rate limits stop the rest.
@readers_form(back=lambda request: reverse("newsletter:subscribe"), keep={"email": "Email"})
@require_http_methods(["GET", "POST"])
def subscribe(request):
    if request.method == "GET":
        return render(request, "newsletter/subscribe.html", {"form": SubscribeForm()})
    form = SubscribeForm(request.POST)
    allowed = throttle.hit(
        "newsletter-subscribe",
        request.META.get("REMOTE_ADDR", ""),
        limit=settings.NEWSLETTER_SUBSCRIBE_LIMIT,
        window=settings.NEWSLETTER_SUBSCRIBE_WINDOW,
    )
    if not allowed:
        form.add_error(None, "Too many sign-ups from your connection. Try again in a few minutes.")
        return render(request, "newsletter/subscribe.html", {"form": form}, status=429)
    if not form.is_valid():
        return render(request, "newsletter/subscribe.html", {"form": form}, status=400)
    request_subscription(
        form.cleaned_data["email"],
        source=form.cleaned_data["source"] or "subscribe page",
        base_url=request.build_absolute_uri("/"),
    )
    return redirect("newsletter:check_inbox")


def check_inbox(request):
    return render(request, "newsletter/check_inbox.html")


def confirm(request, token):
    subscriber = Subscriber.objects.from_token(
        token, salt=CONFIRM_SALT, max_age=CONFIRM_LINK_MAX_AGE
    )
    confirmed = subscriber is not None and subscriber.confirm()
    return render(
        request,
        "newsletter/confirmed.html",
        {"confirmed": confirmed, "form": SubscribeForm()},
        status=200 if confirmed else 400,
    )


# Mail providers POST here for RFC 8058 one-click unsubscribe, without a CSRF token: the
# signed token in the URL is the authority. A GET (which mail scanners send on their own)
# only shows the button, as RFC 8058 asks, so a scanner never unsubscribes anyone.
@csrf_exempt
@require_http_methods(["GET", "POST"])
def unsubscribe(request, token):
    subscriber = Subscriber.objects.from_token(token, salt=UNSUBSCRIBE_SALT)
    if subscriber is None:
        return render(request, "newsletter/unsubscribe.html", {"invalid": True}, status=400)
    if request.method == "POST":
        subscriber.unsubscribe()
        return render(request, "newsletter/unsubscribed.html", {"form": SubscribeForm()})
    return render(request, "newsletter/unsubscribe.html", {"subscriber": subscriber})
