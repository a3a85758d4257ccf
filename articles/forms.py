import contextlib
import copy
import time

from django import forms
from django.conf import settings
from django.contrib.admin import widgets as admin_widgets
from django.forms.renderers import Jinja2
from django.utils.dateparse import parse_datetime
from django.utils.functional import cached_property

from articles.checks import check_article, check_boxes
from articles.images import reencode_image, validate_image_file
from articles.ingest import IngestError, decode_upload, parse_story
from articles.models import Article, Author, Comment, Section
from articles.services import comments

ACTION_LABELS = {
    "submit": "Submit for review",
    "publish": "Publish",
    "return_to_draft": "Return to draft",
    "withdraw": "Withdraw",
}
NOTE_REQUIRED = {"return_to_draft", "withdraw"}
CHECKED_ACTIONS = {"submit", "publish"}


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
    loaded_version = forms.CharField(widget=forms.HiddenInput, required=False)
    confirm_warnings = forms.BooleanField(
        label="I have read the warnings above and want to go ahead",
        required=False,
    )

    # Set by ArticleAdmin.get_form for the request being served.
    acting_user = None
    check_findings = ()
    stale = None

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

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial["loaded_version"] = self.instance.updated_at.isoformat()

    def clean_hero_image(self):
        image = self.cleaned_data.get("hero_image")
        if image and hasattr(image, "content_type"):  # a new upload, not the stored file
            return reencode_image(image)
        return image

    def clean(self):
        cleaned = super().clean()
        self._refuse_if_stale()
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
        if action in CHECKED_ACTIONS:
            self._check_before(action, cleaned)
        cleaned["workflow_action"] = action
        return cleaned

    def _refuse_if_stale(self):
        """Refuse the save if someone saved the story after this form was opened.

        The row stays locked until the admin's transaction ends, so of two editors saving at
        once the second waits and then sees the first one's save. What was typed is kept; the
        form then carries the new version, so saving again deliberately replaces their text.
        """
        loaded = parse_datetime(self.data.get("loaded_version") or "")
        if not self.instance.pk or loaded is None:
            return
        from articles.services.stale import stale_save

        self.stale = stale_save(self.instance, loaded)
        if self.stale is None:
            return
        self.data = self.data.copy()
        self.data["loaded_version"] = self.stale.current_version.isoformat()
        raise forms.ValidationError(self.stale.message, code="stale")

    def _check_before(self, action, cleaned):
        """Run the pre-publication checks on the story as typed, not as last saved."""
        candidate = copy.copy(self.instance)
        for name in self._meta.fields:
            if name in cleaned and name != "tags":
                setattr(candidate, name, cleaned[name])
        publish_at = cleaned.get("workflow_publish_at") if action == "publish" else None
        self.check_findings = check_article(candidate, publish_at=publish_at)
        errors = [f for f in self.check_findings if f.is_error]
        warnings = [f for f in self.check_findings if not f.is_error]
        for finding in errors:
            self.add_error(None, forms.ValidationError(finding.message, code="check_failed"))
        if warnings and not cleaned.get("confirm_warnings"):
            self.add_error(
                "confirm_warnings",
                forms.ValidationError(
                    [forms.ValidationError(f.message, code="check_warning") for f in warnings]
                    + ["Tick the confirmation below to go ahead anyway."]
                ),
            )


# Widgets of the reader's forms render through Jinja2 as their pages do (newsroom/templating.py):
# Django's own widget templates for Jinja2 took about half the CPU of the template language's.
READER_FORMS = Jinja2()
# A blank comment form's widgets, the same on every story's page: rendered once per process.
BLANK_WIDGETS = {}
# {form class: the blank form that CommentForm.blank() copies}, one per process.
BLANK_FORMS = {}


class CommentForm(forms.ModelForm):
    """A reader's comment on `article` (fetched with `for_page()`), or a reply to one."""

    default_renderer = READER_FORMS

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

    @classmethod
    def blank(cls, article):
        """The blank form of `article`'s page, as `cls(article=article)` makes it.

        A new form deep-copies its fields, makes a Comment and translates its label suffix:
        about 130 µs, a thirtieth of the page's CPU. A blank form is shown and never bound,
        cleaned or saved, and nothing here changes a form's fields after `__init__`. So each
        process makes one, and each page's form is a copy of it, with its own story, field
        dictionary and bound fields; the field objects and the unsaved Comment are shared.
        """
        made = BLANK_FORMS.get(cls)
        if made is None:
            made = BLANK_FORMS[cls] = cls(article=None)
        form = copy.copy(made)
        form.article = article
        form.fields = dict(made.fields)
        form.initial = dict(made.initial)
        form._bound_fields_cache = {}
        return form

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
        return self.article.comments.approved().filter(parent=None, pk=pk).first()

    @property
    def reader_fields(self):
        return [self["name"], self["email"], self["body"]]

    def field_html(self, field):
        """The field's widget. A blank form's widgets do not change from page to page, and
        rendering their templates was about 7% of the article page's CPU."""
        if self.is_bound or field.value() not in (None, ""):
            return str(field)
        key = (type(self), field.name, self.prefix, self.auto_id)
        html = BLANK_WIDGETS.get(key)
        if html is None:
            html = BLANK_WIDGETS[key] = str(field)
        return html

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


class AnalysisBoxFormSet(forms.BaseInlineFormSet):
    """Checks the boxes as typed when the save also submits or publishes the story."""

    def clean(self):
        super().clean()
        action = self.data.get("_workflow")
        if action not in CHECKED_ACTIONS:
            return
        boxes = [
            form.instance
            for form in self.forms
            if form.has_changed() or form.instance.pk
            if not (self.can_delete and self._should_delete_form(form))
        ]
        publish_at = None
        if action == "publish":
            typed = [self.data.get("workflow_publish_at_0"), self.data.get("workflow_publish_at_1")]
            # A bad time is reported beside its field by the story form.
            with contextlib.suppress(forms.ValidationError):
                publish_at = forms.SplitDateTimeField(required=False).clean(typed)
        errors = [
            f
            for f in check_boxes(boxes, article_pk=self.instance.pk, publish_at=publish_at)
            if f.is_error
        ]
        if errors:
            raise forms.ValidationError([f.message for f in errors])


class ImportTextForm(forms.Form):
    """Paste a page's text or upload it as a file; the import makes a draft."""

    MAX_BYTES = 2 * 1024 * 1024

    text = forms.CharField(
        label="Paste the page",
        required=False,
        widget=forms.Textarea(attrs={"rows": 16, "cols": 90}),
    )
    file = forms.FileField(label="…or upload a text file", required=False)
    section = forms.ModelChoiceField(queryset=Section.objects.all())

    def clean_file(self):
        upload = self.cleaned_data.get("file")
        if not upload:
            return ""
        if upload.size > self.MAX_BYTES:
            raise forms.ValidationError("The file is larger than 2 MB; a story is much smaller.")
        try:
            return decode_upload(upload.read())
        except IngestError as error:
            raise forms.ValidationError(str(error)) from None

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        text, from_file = cleaned.get("text", "").strip(), cleaned.get("file", "")
        if text and from_file:
            raise forms.ValidationError("Paste the text or upload a file, not both.")
        source = text or from_file
        if not source:
            self.add_error("text", "Paste the page's text here, or upload a file below.")
            return cleaned
        try:
            parse_story(source)
        except IngestError as error:
            self.add_error("file" if from_file else "text", str(error))
        cleaned["source"] = source
        return cleaned
