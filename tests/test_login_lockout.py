"""Staff sign-in: django-axes locks a username out after repeated failures from one address,
for a configurable time; Django's password validators refuse weak passwords."""

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone

from tests.factories import EditorFactory

pytestmark = pytest.mark.django_db

LOGIN = reverse("admin:login")
PASSWORD = "correct-horse-battery"  # UserFactory's


def sign_in(client, username, password, address="203.0.113.7"):
    return client.post(
        f"{LOGIN}?next=/admin/",
        {"username": username, "password": password, "next": "/admin/"},
        REMOTE_ADDR=address,
    )


def signed_in(client):
    return client.get("/admin/").status_code == 200


def test_failures_lock_the_account_out_even_with_the_right_password(client):
    editor = EditorFactory(username="phished")
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        response = sign_in(client, editor.username, "guess")
        assert response.status_code == 200
        assert "Please enter the correct username and password" in response.content.decode()

    locked = sign_in(client, editor.username, "guess")
    assert locked.status_code == 429
    assert "Sign-in locked for now" in locked.content.decode()
    assert "30 minutes" in locked.content.decode()

    again = sign_in(client, editor.username, PASSWORD)
    assert again.status_code == 429
    assert not signed_in(client)


def test_the_limit_is_a_setting(client, settings):
    settings.AXES_FAILURE_LIMIT = 2
    editor = EditorFactory(username="limited")
    assert sign_in(client, editor.username, "guess").status_code == 200
    assert sign_in(client, editor.username, "guess").status_code == 429


def test_the_lock_is_per_account_and_address(client):
    target, colleague = EditorFactory(username="target"), EditorFactory(username="colleague")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, target.username, "guess")
    assert sign_in(client, target.username, PASSWORD).status_code == 429
    # The colleague at the same office, and the owner from another address, still sign in.
    assert sign_in(client, colleague.username, PASSWORD).status_code == 302
    client.logout()
    assert sign_in(client, target.username, PASSWORD, address="198.51.100.4").status_code == 302


def test_a_success_resets_the_count(client):
    editor = EditorFactory(username="forgetful")
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        sign_in(client, editor.username, "guess")
    assert sign_in(client, editor.username, PASSWORD).status_code == 302
    client.logout()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert sign_in(client, editor.username, "guess").status_code == 200
    assert sign_in(client, editor.username, PASSWORD).status_code == 302


def test_the_lock_lifts_after_the_cool_off(client):
    editor = EditorFactory(username="patient")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, editor.username, "guess")
    assert sign_in(client, editor.username, PASSWORD).status_code == 429
    # Half an hour passes.
    AccessAttempt.objects.update(
        attempt_time=timezone.now() - settings.AXES_COOLOFF_TIME - timedelta(seconds=1)
    )
    assert sign_in(client, editor.username, PASSWORD).status_code == 302
    assert signed_in(client)


def test_weak_passwords_are_refused_when_an_admin_sets_one(client):
    admin = get_user_model().objects.create_superuser("chief", "chief@news.test", PASSWORD)
    client.force_login(admin)
    response = client.post(
        reverse("admin:auth_user_add"),
        {
            "username": "newreporter",
            "usable_password": "true",
            "password1": "newreporter1",
            "password2": "newreporter1",
        },
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "The password is too similar to the username." in page
    assert not get_user_model().objects.filter(username="newreporter").exists()

    response = client.post(
        reverse("admin:auth_user_add"),
        {
            "username": "newreporter",
            "usable_password": "true",
            "password1": "12345678",
            "password2": "12345678",
        },
    )
    page = response.content.decode()
    assert "This password is too common." in page
    assert "This password is entirely numeric." in page
