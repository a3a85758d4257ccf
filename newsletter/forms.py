from django import forms
from django.core.exceptions import ValidationError
from django.core.mail.message import sanitize_address
from django.core.validators import validate_email

from newsletter.models import Subscriber, normalize_email

INVALID_ADDRESS = "This does not look like an email address; check it, e.g. name@example.com."


class PageSourceField(forms.CharField):
    """Filled in by the page, not the reader: whatever arrives is cleaned, never refused (a
    refusal here would name a field the reader cannot see). NUL is dropped, as the database
    takes no NUL, and a long address is cut."""

    def to_python(self, value):
        return super().to_python(value).replace("\x00", "").strip()[:200]


class SubscribeForm(forms.Form):
    email = forms.EmailField(
        label="Email address",
        max_length=254,
        error_messages={
            "required": "Enter your email address.",
            "invalid": INVALID_ADDRESS,
        },
        widget=forms.EmailInput(attrs={"autocomplete": "email", "placeholder": "you@example.com"}),
    )
    source = PageSourceField(required=False, widget=forms.HiddenInput)

    def clean_email(self):
        # Stored in lower case, which makes some letters longer (İ) or turns a valid domain
        # into one too long to send to: the address as stored must pass, and be one our mail
        # can be addressed to, or the reader would wait for an email that never comes.
        email = normalize_email(self.cleaned_data["email"])
        try:
            validate_email(email)
            if len(email) > Subscriber._meta.get_field("email").max_length:
                raise ValidationError(INVALID_ADDRESS)
            sanitize_address(email, "utf-8")
        except (ValidationError, ValueError) as error:
            raise ValidationError(INVALID_ADDRESS, code="invalid") from error
        return email
