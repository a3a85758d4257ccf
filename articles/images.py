"""Image uploads: checked by content, size and pixel count, then re-encoded without metadata."""

import io
import logging
import uuid
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.template.defaultfilters import filesizeformat
from PIL import Image, ImageOps, UnidentifiedImageError, features

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
    except Image.DecompressionBombError as error:
        # Pillow refuses before decoding: the header claims an enormous image.
        raise ValidationError(
            "This image has far more pixels than the "
            f"{settings.NEWSROOM_MAX_IMAGE_PIXELS // 1_000_000} megapixels we accept.",
            code="image_too_many_pixels",
        ) from error
    except (UnidentifiedImageError, OSError) as error:
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


# Renditions: each stored image is resized once into several widths and formats, kept on
# storage, and described by a small dict saved on the owning row, so pages need no query
# and no file access to write <picture>/srcset with width and height.

RENDITION_WIDTHS = (320, 640, 960, 1280, 1600)
RENDITION_QUALITY = {"AVIF": 55, "WEBP": 78, "JPEG": 82}
RENDITION_MIME = {"AVIF": "image/avif", "WEBP": "image/webp", "JPEG": "image/jpeg"}
RENDITION_EXT = {"AVIF": "avif", "WEBP": "webp", "JPEG": "jpg"}


def rendition_formats():
    """Best first: AVIF where this Pillow can write it, WebP, then JPEG for everyone else."""
    formats = ["AVIF"] if features.check("avif") else []
    return [*formats, "WEBP", "JPEG"]


def _widths_for(source_width):
    """The standard widths below the image's own, and its own width (capped): never enlarged."""
    largest = min(source_width, RENDITION_WIDTHS[-1])
    return [*(width for width in RENDITION_WIDTHS if width < largest), largest]


def _encode(image, image_format):
    output = io.BytesIO()
    options = {"quality": RENDITION_QUALITY[image_format]}
    if image_format == "JPEG":
        options |= {"optimize": True, "progressive": True}
    elif image_format == "AVIF":
        options["speed"] = 8  # a little larger files, much faster encoding on a busy desk
    image.save(output, format=image_format, **options)
    return output.getvalue()


def _flatten(image):
    """JPEG has no transparency: put transparent images on white."""
    if image.mode in ("RGBA", "LA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        background = Image.new("RGB", rgba.size, "white")
        background.paste(rgba, mask=rgba.getchannel("A"))
        return background
    return image.convert("RGB")


def make_renditions(field_file):
    """Write the renditions of a stored image and return their description:
    {"source": name, "width": w, "height": h, "formats": {mime: [{"name", "width", "height",
    "bytes"}, ...smallest first]}}. Metadata is not copied into any rendition."""
    storage = field_file.storage
    with storage.open(field_file.name, "rb") as stored:
        source = Image.open(stored)
        source.load()
    source = ImageOps.exif_transpose(source)
    if source.mode not in ("RGB", "RGBA", "L", "LA"):
        source = source.convert("RGBA" if "transparency" in source.info else "RGB")
    folder = f"renditions/{Path(field_file.name).stem[:60]}-{uuid.uuid4().hex[:8]}"
    formats = {}
    for width in _widths_for(source.width):
        height = max(1, round(source.height * width / source.width))
        resized = source.resize((width, height), Image.Resampling.LANCZOS)
        resized.info = {}  # no EXIF, ICC or comments carried over
        for image_format in rendition_formats():
            image = _flatten(resized) if image_format == "JPEG" else resized
            data = _encode(image, image_format)
            name = storage.save(
                f"{folder}/{width}.{RENDITION_EXT[image_format]}", ContentFile(data)
            )
            formats.setdefault(RENDITION_MIME[image_format], []).append(
                {"name": name, "width": width, "height": height, "bytes": len(data)}
            )
    return {
        "source": field_file.name,
        "width": source.width,
        "height": source.height,
        "formats": formats,
    }


def delete_renditions(renditions, storage):
    for versions in (renditions or {}).get("formats", {}).values():
        for version in versions:
            storage.delete(version["name"])


@dataclass
class PictureSource:
    mime: str
    srcset: str


@dataclass
class Picture:
    """What a <picture> element needs: modern formats as <source>s, a JPEG <img> fallback."""

    sources: list
    src: str
    srcset: str
    width: int
    height: int
    largest: dict

    @classmethod
    def from_renditions(cls, renditions, storage):
        formats = (renditions or {}).get("formats")
        if not formats or RENDITION_MIME["JPEG"] not in formats:
            return None

        def srcset(versions):
            return ", ".join(f"{storage.url(v['name'])} {v['width']}w" for v in versions)

        jpeg = formats[RENDITION_MIME["JPEG"]]
        largest = jpeg[-1]
        # The <img> src is a middle width: what a browser without srcset support gets.
        fallback = next((v for v in jpeg if v["width"] >= 960), largest)
        return cls(
            sources=[
                PictureSource(mime, srcset(versions))
                for mime, versions in formats.items()
                if mime != RENDITION_MIME["JPEG"]
            ],
            src=storage.url(fallback["name"]),
            srcset=srcset(jpeg),
            width=largest["width"],
            height=largest["height"],
            largest={**largest, "url": storage.url(largest["name"])},
        )

    @classmethod
    def for_field(cls, field_file, renditions):
        """The picture of a stored image, if its renditions are made and current."""
        if not field_file or (renditions or {}).get("source") != field_file.name:
            return None
        return cls.from_renditions(renditions, field_file.storage)


logger = logging.getLogger(__name__)


def renditions_keeper(image_field, renditions_field):
    """A post_save receiver that makes an image's renditions when the image changes."""

    def keep_current(sender, instance, using, update_fields=None, **kwargs):
        if update_fields is not None and image_field not in update_fields:
            return
        field_file = getattr(instance, image_field)
        previous = getattr(instance, renditions_field) or {}
        if (field_file.name or "") == previous.get("source", ""):
            return
        renditions = {}
        if field_file:
            try:
                renditions = make_renditions(field_file)
            except (OSError, ValueError, Image.DecompressionBombError):
                # The page falls back to the stored image; `make_renditions` can retry.
                logger.exception("Could not make renditions of %s", field_file.name)
        sender._base_manager.using(using).filter(pk=instance.pk).update(
            **{renditions_field: renditions}
        )
        setattr(instance, renditions_field, renditions)
        storage = field_file.storage
        transaction.on_commit(lambda: delete_renditions(previous, storage), using=using)

    return keep_current
