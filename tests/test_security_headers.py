"""Security headers: a strict CSP on public pages, a desk CSP that lets the editor work (and
tests/browser/test_desk_csp.py checks it in Chromium), the other protections, production cookies."""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.urls import reverse

from articles.models import Status
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parent.parent


def policy(response):
    """The CSP header as {directive: [sources]}."""
    directives = {}
    for part in response["Content-Security-Policy"].split(";"):
        name, *sources = part.split()
        directives[name] = sources
    return directives


def public_responses(client):
    article = ArticleFactory(published=True, comments=1)
    client.raise_request_exception = False
    return {
        "home": client.get("/"),
        "article": client.get(article.get_absolute_url()),
        "article with a refused comment": client.post(
            reverse("articles:post_comment", args=[article.pk, article.slug]), {"name": ""}
        ),
        "404": client.get("/no-such-page/"),
    }


def test_public_pages_have_a_strict_policy_and_need_nothing_inline(client):
    for name, response in public_responses(client).items():
        csp = policy(response)
        assert csp["default-src"] == ["'self'"], name
        assert csp["script-src"] == ["'self'"], name
        assert csp["style-src"] == ["'self'"], name
        assert csp["object-src"] == ["'none'"], name
        assert csp["base-uri"] == ["'none'"], name
        assert csp["frame-ancestors"] == ["'none'"], name
        assert csp["form-action"] == ["'self'"], name
        assert "unsafe" not in response["Content-Security-Policy"], name
        page = response.content.decode()
        # What the policy would block must not be on the page in the first place.
        # Only data blocks (JSON-LD), which browsers never run.
        assert not re.search(r'<script(?![^>]*type="application/ld\+json")', page), name
        assert "<style" not in page, name
        assert not re.search(r"\sstyle=", page), name
        assert not re.search(r"\son[a-z]+=", page), name


def test_the_styled_error_pages_need_no_inline_style(client, monkeypatch):
    article = ArticleFactory(published=True)

    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr("articles.views.public.render_article", broken)
    client.raise_request_exception = False
    response = client.get(article.get_absolute_url())
    assert response.status_code == 500
    assert "unsafe" not in response["Content-Security-Policy"]
    page = response.content.decode()
    assert "<style" not in page and "css/site.css" in page


def test_other_protections_on_every_response(client):
    for name, response in public_responses(client).items():
        assert response["X-Content-Type-Options"] == "nosniff", name
        assert response["Referrer-Policy"] == "strict-origin-when-cross-origin", name
        assert response["Cross-Origin-Opener-Policy"] == "same-origin", name
        assert response["X-Frame-Options"] == "DENY", name
        permissions = response["Permissions-Policy"]
        for feature in ["camera", "microphone", "geolocation", "payment", "usb"]:
            assert f"{feature}=()" in permissions, name


def test_the_desk_policy_admits_the_editor_import_map_by_nonce_only(client, editor):
    article = ArticleFactory(status=Status.REVIEW)
    client.force_login(editor)
    response = client.get(reverse("admin:articles_article_change", args=[article.pk]))
    csp = policy(response)
    nonces = [s for s in csp["script-src"] if s.startswith("'nonce-")]
    assert csp["script-src"][0] == "'self'" and len(nonces) == 1
    assert "unsafe" not in response["Content-Security-Policy"]
    nonce = nonces[0][len("'nonce-") : -1]
    page = response.content.decode()
    assert f'<script type="importmap" nonce="{nonce}">' in page
    # A second request gets a fresh nonce.
    again = client.get(reverse("admin:articles_article_change", args=[article.pk]))
    assert nonces != [s for s in policy(again)["script-src"] if s.startswith("'nonce-")]


PRODUCTION_PROBE = """
import json
from django.core.management import call_command
from django.test import Client
call_command("migrate", verbosity=0)
call_command("collectstatic", interactive=False, verbosity=0)
from django.contrib.auth import get_user_model
get_user_model().objects.create_superuser("chief", "chief@news.test", "a-long-desk-passphrase")
client = Client(HTTP_HOST="news.example.com")
login_page = client.get("/admin/login/", secure=True)
token = login_page.cookies["csrftoken"].value
response = client.post("/admin/login/?next=/admin/", {"username": "chief",
    "password": "a-long-desk-passphrase", "csrfmiddlewaretoken": token, "next": "/admin/"},
    secure=True)
plain = Client(HTTP_HOST="news.example.com").get("/admin/login/")
cookies = {name: {"secure": bool(c["secure"]), "httponly": bool(c["httponly"]),
    "samesite": c["samesite"]} for name, c in {**login_page.cookies, **response.cookies}.items()}
print(json.dumps({"status": response.status_code, "hsts": response.get("Strict-Transport-Security"),
    "csp": response.get("Content-Security-Policy"), "cookies": cookies,
    "plain_http": [plain.status_code, plain.get("Location")]}))
"""


def test_production_sends_hsts_and_secure_httponly_samesite_cookies(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_"))}
    env.update(
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY="a-long-random-production-secret-for-the-header-test-0123456789",
        DJANGO_ALLOWED_HOSTS="news.example.com",
        DATABASE_URL=f"sqlite:///{tmp_path / 'production.sqlite3'}",
        NEWSROOM_VAR_DIR=str(tmp_path),
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", PRODUCTION_PROBE],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert result.returncode == 0, result.stderr
    probe = json.loads(result.stdout.strip().splitlines()[-1])
    assert probe["status"] == 302  # signed in
    assert probe["hsts"] == "max-age=31536000; includeSubDomains; preload"
    assert "upgrade-insecure-requests" in probe["csp"]
    assert probe["plain_http"] == [301, "https://news.example.com/admin/login/"]
    assert set(probe["cookies"]) == {"csrftoken", "sessionid"}
    for name, cookie in probe["cookies"].items():
        assert cookie == {"secure": True, "httponly": True, "samesite": "Lax"}, name


def run_csp_middleware(path, view=None):
    """A response to `path` through the site's CSP middleware, as django-csp would make it."""
    from django.http import HttpResponse
    from django.test import RequestFactory

    from newsroom.middleware import SiteCSPMiddleware

    request = RequestFactory().get(path)
    middleware = SiteCSPMiddleware(lambda request: (view or (lambda r: HttpResponse()))(request))
    return request, middleware(request)


def test_the_site_policy_built_once_is_the_one_django_csp_builds(settings):
    from csp.decorators import csp_update
    from csp.exceptions import CSPNonceError
    from csp.utils import build_policy
    from django.http import HttpResponse

    request, response = run_csp_middleware("/")
    assert response["Content-Security-Policy"] == build_policy()
    assert "Content-Security-Policy-Report-Only" not in response
    with pytest.raises(CSPNonceError):
        str(request.csp_nonce)  # asked for after the header was written

    # A view's own policy still goes through django-csp.
    _, own = run_csp_middleware(
        "/", csp_update({"img-src": ["https://images.example"]})(lambda request: HttpResponse())
    )
    assert "https://images.example" in policy(own)["img-src"]

    # Changed settings are read again.
    settings.CONTENT_SECURITY_POLICY = {"DIRECTIVES": {"default-src": ["'none'"]}}
    settings.CONTENT_SECURITY_POLICY_REPORT_ONLY = {
        "DIRECTIVES": {"script-src": ["'self'"]},
        "EXCLUDE_URL_PREFIXES": ["/healthz"],
    }
    _, changed = run_csp_middleware("/")
    assert changed["Content-Security-Policy"] == "default-src 'none'"
    assert changed["Content-Security-Policy-Report-Only"] == build_policy(report_only=True)
    assert "script-src 'self'" in changed["Content-Security-Policy-Report-Only"]
    _, excluded = run_csp_middleware("/healthz")
    assert "Content-Security-Policy-Report-Only" not in excluded


def test_the_site_policy_is_built_once_per_process(monkeypatch):
    from newsroom import middleware

    built = []
    real = middleware.build_policy
    monkeypatch.setattr(middleware, "build_policy", lambda **kw: built.append(kw) or real(**kw))
    monkeypatch.setattr(middleware, "_SITE_POLICIES", {})
    for _ in range(3):
        _, response = run_csp_middleware("/")
        assert "default-src 'self'" in response["Content-Security-Policy"]
    assert built == [{"report_only": False}, {"report_only": True}]
