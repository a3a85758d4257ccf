import time

from django import forms
from django.conf import settings
from django.contrib.admin import widgets as admin_widgets
from django.utils import timezone
from django.utils.functional import cached_property

from articles.images import reencode_image, validate_image_file
from articles.models import Article, Author, Comment
from articles.services import comments

ACTION_LABELS = {
    "submit": "Submit for review",
    "publish": "Publish",
    "return_to_draft": "Return to draft",
    "withdraw": "Withdraw",
}
NOTE_REQUIRED = {"return_to_draft", "withdraw"}


class CheckedImageField(forms.ImageField):
    """An image upload checked by our rules first (type by content, size, pixel count), so the
    desk reads why an image is refused instead of Django's generic message."""

    def to_python(self, data):
        if data not in self.empty_values:
            validate_image_file(data)
        return super().to_python(data)


class ArticleAdminForm(forms.ModelForm):
    """The story form; also carries the workflow step the desk asked for with this save."""

    workflow_note = forms.CharField(
        label="Note",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2, "cols": 60}),
        help_text="Shown to the reporter; required to return to draft or withdraw.",
    )
    workflow_publish_at = forms.SplitDateTimeField(
        label="Publish at",
        required=False,
        widget=admin_widgets.AdminSplitDateTime,
        help_text="Leave empty to publish now; a future time schedules the story.",
    )

    # Set by ArticleAdmin.get_form for the request being served.
    acting_user = None

    class Meta:
        model = Article
        fields = [
            "headline",
            "slug",
            "standfirst",
            "section",
            "body",
            "tags",
            "hero_image",
            "hero_alt",
            "hero_caption",
            "hero_credit",
            "comments_open",
            "suppress_ads",
        ]
        field_classes = {"hero_image": CheckedImageField}

    def clean_hero_image(self):
        image = self.cleaned_data.get("hero_image")
        if image and hasattr(image, "content_type"):  # a new upload, not the stored file
            return reencode_image(image)
        return image

    def clean(self):
        cleaned = super().clean()
        action = self.data.get("_workflow")
        if not action:
            return cleaned
        if action not in ACTION_LABELS:
            raise forms.ValidationError("Unknown workflow step.")
        if action not in self.instance.allowed_actions(self.acting_user):
            raise forms.ValidationError(
                f"You cannot “{ACTION_LABELS[action]}” this story in its current state.",
                code="workflow_forbidden",
            )
        if action in NOTE_REQUIRED and not cleaned.get("workflow_note", "").strip():
            self.add_error("workflow_note", "Write a note saying why; the reporter will see it.")
        publish_at = cleaned.get("workflow_publish_at")
        if action == "publish" and publish_at and publish_at <= timezone.now():
            self.add_error(
                "workflow_publish_at",
                "This time has passed. Leave it empty to publish now, or choose a future time.",
            )
        cleaned["workflow_action"] = action
        return cleaned


class CommentForm(forms.ModelForm):
    """A reader's comment on `article` (fetched with `for_page()`), or a reply to one."""

    # The honeypot: hidden from people, filled in by bots that fill in everything.
    website = forms.CharField(
        label="Leave this field empty",
        required=False,
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
    )
    issued = forms.CharField(required=False, widget=forms.HiddenInput)
    reply_to = forms.CharField(required=False, widget=forms.HiddenInput)

    class Meta:
        model = Comment
        fields = ["name", "email", "body"]
        labels = {"body": "Comment", "email": "Email (never shown)"}
        widgets = {
            "name": forms.TextInput(attrs={"autocomplete": "name"}),
            "email": forms.EmailInput(attrs={"autocomplete": "email"}),
            "body": forms.Textarea(attrs={"rows": 6}),
        }

    def __init__(self, *args, article, **kwargs):
        super().__init__(*args, **kwargs)
        self.article = article

    def clean_body(self):
        body = self.cleaned_data["body"].strip()
        if not body:
            raise forms.ValidationError("Write something before posting.")
        return body

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        if not name:
            raise forms.ValidationError("Tell readers who you are.")
        return name

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("reply_to") and self.replying_to is None:
            raise forms.ValidationError(
                "The comment you replied to is no longer shown. "
                "Send again to post yours as a comment of its own."
            )
        return cleaned

    @cached_property
    def replying_to(self):
        """The approved top-level comment this one answers, or None."""
        raw = self.data.get("reply_to") if self.is_bound else self.initial.get("reply_to")
        try:
            pk = int(raw)
        except (TypeError, ValueError):
            return None
        return next(
            (c for c in self.article.approved_comments if c.pk == pk and c.parent_id is None),
            None,
        )

    @property
    def reader_fields(self):
        return [self["name"], self["email"], self["body"]]

    @property
    def issued_token(self):
        """A fresh signed timestamp. A form shown again has been typed already, so its
        token counts from the minimum typing time back, and sending it again at once is fine."""
        head_start = settings.NEWSROOM_COMMENTS_MIN_SECONDS if self.is_bound else 0
        return comments.form_token(self.article, time.time() - head_start)


class AuthorAdminForm(forms.ModelForm):
    class Meta:
        model = Author
        fields = ["name", "slug", "job_title", "bio", "photo", "user"]
        field_classes = {"photo": CheckedImageField}

    def clean_photo(self):
        photo = self.cleaned_data.get("photo")
        if photo and hasattr(photo, "content_type"):  # a new upload, not the stored file
            return reencode_image(photo)
        return photo
