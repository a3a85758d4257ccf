"""Property-based tests of the newsletter subscribe form: whatever is sent, never a 500; every
accepted address is stored once, valid, and every refusal says why and keeps what was typed."""

import pytest
from django.conf import settings as django_settings
from django.core import mail
from django.core.mail.message import sanitize_address
from django.test import Client
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st
from markupsafe import escape  # as the reader's pages (Jinja2) escape

from newsletter.models import Subscriber, SubscriberStatus
from tests.properties import bounded_examples, rolled_back

pytestmark = pytest.mark.django_db

SUBSCRIBE_URL = reverse("newsletter:subscribe")

# Any unicode (control characters, NUL, emoji, right-to-left marks), short and long.
any_text = st.one_of(
    st.text(max_size=80),
    st.text(min_size=240, max_size=300),
    st.text(alphabet=st.characters(codec="utf-8"), min_size=1, max_size=5000),
)
# Addresses that come near to valid: real ones, with odd case and spaces around them, and
# unicode on either side of the @ (some of which Django takes, as internationalized domains).
near_addresses = st.one_of(
    st.emails(),
    st.emails().map(str.upper),
    st.emails().map(lambda address: f"  {address}\t"),
    st.builds(
        "{}@{}.{}".format,
        st.text(min_size=1, max_size=70),
        st.text(min_size=1, max_size=190),
        st.sampled_from(["com", "org", "рф", "İ", "ǅ"]),
    ),
    # Letters that lower() makes longer (İ) or changes (K, the Kelvin sign): the stored form of
    # an address must still be one Django accepts.
    st.lists(
        st.integers(1, 63).flatmap(lambda n: st.text(alphabet="İKkaẞ", min_size=n, max_size=n)),
        min_size=1,
        max_size=4,
    ).map(lambda labels: "reader@{}.com".format(".".join(labels))),
)
fields = st.builds(
    lambda extra, known: {**extra, **known},
    st.dictionaries(st.text(max_size=20), any_text, max_size=3),  # fields the form does not have
    st.fixed_dictionaries(
        {}, optional={"email": near_addresses | any_text, "source": any_text, "name": any_text}
    ),
)

examples = bounded_examples(60)


@pytest.fixture(autouse=True)
def unlimited(settings):
    settings.NEWSLETTER_SUBSCRIBE_LIMIT = 10**6  # the limit has its own tests
    settings.NEWSLETTER_EMAIL_INTERVAL = 0


def assert_stored_whole_and_valid(accepted):
    """Exactly the accepted addresses are stored, once each, and each row passes validation."""
    stored = list(Subscriber.objects.all())
    assert sorted(subscriber.email for subscriber in stored) == sorted(accepted)
    for subscriber in stored:
        subscriber.full_clean()
        sanitize_address(subscriber.email, "utf-8")  # our mail can be sent to it
        assert subscriber.status == SubscriberStatus.PENDING
        assert len(subscriber.source) <= 200


def assert_refusal_says_why(response, data):
    page = response.content.decode()
    assert 'class="field__error"' in page or 'class="form-errors"' in page
    typed = data.get("email", "")
    if typed.strip() and "\x00" not in typed:
        assert f'value="{escape(typed)}"' in page


@examples
@given(data=fields)
def test_any_form_is_answered_without_a_server_error(data):
    with rolled_back():
        response = Client().post(SUBSCRIBE_URL, data)
        assert response.status_code in {302, 400}
        if response.status_code == 302:
            assert response["Location"] == reverse("newsletter:check_inbox")
            assert_stored_whole_and_valid([data["email"].strip().lower()])
        else:
            assert_refusal_says_why(response, data)
            assert not Subscriber.objects.exists()


@examples
@given(
    posts=st.lists(
        st.fixed_dictionaries({"email": near_addresses}, optional={"source": any_text}),
        min_size=1,
        max_size=6,
    ).flatmap(
        # Repeated posts: the same address again, as a reload or a double click sends it.
        lambda posts: st.lists(st.sampled_from(posts), min_size=len(posts), max_size=12)
    )
)
def test_repeated_posts_store_each_accepted_address_once(posts, django_capture_on_commit_callbacks):
    reader = Client()
    accepted = set()
    with rolled_back():
        for data in posts:
            mail.outbox.clear()
            with django_capture_on_commit_callbacks(execute=True):
                response = reader.post(SUBSCRIBE_URL, data)
            assert response.status_code in {302, 400}
            if response.status_code == 302:
                accepted.add(data["email"].strip().lower())
                [message] = mail.outbox
                assert message.to == [data["email"].strip().lower()]
            else:
                assert_refusal_says_why(response, data)
                assert not mail.outbox
        assert_stored_whole_and_valid(accepted)


def test_huge_fields_are_cut_or_refused_and_a_form_too_large_to_read_stores_nothing(client):
    megabyte = "x" * 1_000_000
    response = client.post(SUBSCRIBE_URL, {"email": "reader@example.com", "source": megabyte})
    assert response.status_code == 302
    assert Subscriber.objects.get().source == megabyte[:200]

    response = client.post(SUBSCRIBE_URL, {"email": megabyte + "@example.com"})
    assert response.status_code == 400
    assert "at most 254 characters" in response.content.decode()

    too_large = "x" * (django_settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)
    response = client.post(SUBSCRIBE_URL, {"email": "other@example.com", "source": too_large})
    assert response.status_code == 400
    assert Subscriber.objects.count() == 1
