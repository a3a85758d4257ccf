from django import forms


class SubscribeForm(forms.Form):
    email = forms.EmailField(
        label="Email address",
        max_length=254,
        error_messages={
            "required": "Enter your email address.",
            "invalid": "This does not look like an email address; check it, e.g. name@example.com.",
        },
        widget=forms.EmailInput(attrs={"autocomplete": "email", "placeholder": "you@example.com"}),
    )
    source = forms.CharField(required=False, widget=forms.HiddenInput)

    def clean_source(self):
        # Filled in by the page, not the reader: a long address is cut, never refused.
        return self.cleaned_data["source"].strip()[:200]
