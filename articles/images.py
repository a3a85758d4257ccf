"""Image uploads: checked by content, size and pixel count, then re-encoded without metadata."""

import io
import uuid
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.template.defaultfilters import filesizeformat
from PIL import Image, ImageOps, UnidentifiedImageError

# Formats we accept, and the format each is stored in after re-encoding.
ACCEPTED_FORMATS = {"JPEG": "JPEG", "PNG": "PNG", "WEBP": "WEBP", "GIF": "PNG"}
EXTENSIONS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}


def _inspect(file):
    """Open the upload far enough to know its real format and size; raise a clear error."""
    max_bytes = settings.NEWSROOM_MAX_IMAGE_BYTES
    size = getattr(file, "size", None)
    if size is not None and size > max_bytes:
        raise ValidationError(
            f"This image is {filesizeformat(size)}; the limit is {filesizeformat(max_bytes)}.",
            code="image_too_large",
        )
    file.seek(0)
    try:
        image = Image.open(file)
        image_format = image.format
        width, height = image.size
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError) as error:
        raise ValidationError(
            "This file is not an image we can read. Upload a JPEG, PNG, WebP or GIF.",
            code="not_an_image",
        ) from error
    if image_format not in ACCEPTED_FORMATS:
        raise ValidationError(
            f"{image_format} images are not accepted. Upload a JPEG, PNG, WebP or GIF.",
            code="image_format",
        )
    if width * height > settings.NEWSROOM_MAX_IMAGE_PIXELS:
        raise ValidationError(
            f"This image is {width}×{height} pixels, more than the "
            f"{settings.NEWSROOM_MAX_IMAGE_PIXELS // 1_000_000} megapixels we accept.",
            code="image_too_many_pixels",
        )
    return image


def validate_image_file(file):
    """Model-field validator: a real image of an accepted format, size and pixel count."""
    if getattr(file, "_committed", False):
        return  # an image already stored was checked when it was uploaded
    _inspect(file)
    file.seek(0)


def reencode_image(file):
    """Return the upload re-encoded by Pillow as a new file: metadata (EXIF, GPS) dropped,
    orientation applied, anything hidden after the image data discarded."""
    image = _inspect(file)
    target = ACCEPTED_FORMATS[image.format]
    try:
        image = ImageOps.exif_transpose(image)
        if target == "JPEG" and image.mode not in ("RGB", "L"):
            image = image.convert("RGB")
        elif target in ("PNG", "WEBP") and image.mode not in ("RGB", "RGBA", "L", "LA"):
            image = image.convert("RGBA")
        output = io.BytesIO()
        options = {"JPEG": {"quality": 86, "optimize": True}, "WEBP": {"quality": 86}}
        image.save(output, format=target, **options.get(target, {"optimize": True}))
    except (OSError, ValueError, Image.DecompressionBombError) as error:
        raise ValidationError(
            "This image is damaged and could not be processed.", code="image_damaged"
        ) from error
    stem = Path(getattr(file, "name", "") or "image").stem[:60] or "image"
    name = f"{stem}-{uuid.uuid4().hex[:8]}.{EXTENSIONS[target]}"
    content = ContentFile(output.getvalue(), name=name)
    content.image_size = image.size
    return content
