"""Uploaded photos and documents: size and type limits; images re-encoded without metadata."""

from __future__ import annotations

import io
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

Image.MAX_IMAGE_PIXELS = 40_000_000  # refuse decompression bombs
IMAGE_FORMATS = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}
THUMBNAIL_SIZE = (320, 320)
MAX_PER_CASE = 6


@dataclass(frozen=True)
class CleanFile:
    content: ContentFile
    thumbnail: ContentFile | None
    content_type: str
    size: int


def _encode(image: Image.Image, fmt: str) -> bytes:
    buffer = io.BytesIO()
    if fmt == "JPEG" and image.mode not in ("RGB", "L"):
        image = image.convert("RGB")
    options = {} if fmt == "PNG" else {"quality": 85}
    image.save(buffer, format=fmt, **options)
    return buffer.getvalue()


def clean_upload(upload: UploadedFile) -> CleanFile:
    """Check an upload and return it cleaned: images rebuilt from pixels alone (no EXIF/GPS)."""
    limit = settings.GOVERNANCE["ATTACHMENT_MAX_BYTES"]
    if upload.size is None or upload.size > limit:
        raise ValidationError(
            _("%(name)s is larger than %(mb)d MB.") % {"name": upload.name, "mb": limit // 2**20}
        )
    head = upload.read(5)
    upload.seek(0)
    if head == b"%PDF-":
        data = upload.read()
        return CleanFile(ContentFile(data), None, "application/pdf", len(data))
    try:
        with Image.open(upload) as original:
            fmt = original.format
            if fmt not in IMAGE_FORMATS:
                raise ValidationError(
                    _("%(name)s: only JPEG, PNG, WebP photos or PDF documents are accepted.")
                    % {"name": upload.name}
                )
            original.load()
            upright = ImageOps.exif_transpose(original)
            if upright.mode not in ("RGB", "RGBA", "L", "LA"):
                upright = upright.convert("RGBA")
            # A fresh image from the pixels alone carries no EXIF, GPS, XMP or text chunks.
            pixels = Image.new(upright.mode, upright.size)
            pixels.paste(upright)
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError):
        raise ValidationError(
            _("%(name)s is not a readable JPEG, PNG, WebP photo or PDF document.")
            % {"name": upload.name}
        ) from None
    data = _encode(pixels, fmt)
    thumb = pixels.copy()
    thumb.thumbnail(THUMBNAIL_SIZE)
    return CleanFile(
        ContentFile(data), ContentFile(_encode(thumb, fmt)), IMAGE_FORMATS[fmt], len(data)
    )
