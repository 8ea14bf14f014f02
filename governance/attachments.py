"""Uploaded photos and documents: size, pixel and type limits; images re-encoded without
metadata, PDFs re-written without active content.

A photo's pixel count is read from its header and refused above IMAGE_MAX_PIXELS before a
single pixel is decoded (a 50 KB 1-bit PNG can declare 72 million pixels, a gigabyte once
decoded). What is decoded is bounded: JPEGs are decoded at a reduced scale when they are
larger than IMAGE_MAX_SIDE, every image is reduced before it is converted, and only one
decoded copy is kept at a time.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass

import pikepdf
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

# Pillow's own guard only warns below twice its limit: make the warning a refusal too (our
# explicit check from the header comes first; this is the backstop for any other decoder path).
Image.MAX_IMAGE_PIXELS = settings.GOVERNANCE.get("IMAGE_MAX_PIXELS", 24_000_000)
warnings.simplefilter("error", Image.DecompressionBombWarning)

IMAGE_FORMATS = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}
THUMBNAIL_SIZE = (320, 320)
MAX_PER_CASE = 6
# Keys that make a PDF do something when opened: scripts, actions, launched programs,
# embedded files and media, XML forms. They are removed wherever they are in the document.
PDF_ACTIVE_KEYS = frozenset(
    {
        "/JavaScript",
        "/JS",
        "/OpenAction",
        "/AA",
        "/Launch",
        "/EmbeddedFile",
        "/EmbeddedFiles",
        "/RichMedia",
        "/RichMediaContent",
        "/RichMediaSettings",
        "/XFA",
        "/URI",
        "/SubmitForm",
        "/ImportData",
        "/GoToR",
        "/GoToE",
    }
)
PDF_ACTIVE_ACTIONS = frozenset(
    {"/JavaScript", "/Launch", "/URI", "/SubmitForm", "/ImportData", "/GoToR", "/GoToE"}
    | {"/RichMediaExecute", "/Rendition", "/Sound", "/Movie"}
)
PDF_ACTIVE_SUBTYPES = frozenset({"/RichMedia", "/FileAttachment", "/Screen", "/Movie", "/Sound"})


@dataclass(frozen=True)
class CleanFile:
    content: ContentFile
    thumbnail: ContentFile | None
    content_type: str
    size: int


def image_pixel_limit() -> int:
    """Photos with more pixels than this are refused from their header (a setting)."""
    return settings.GOVERNANCE.get("IMAGE_MAX_PIXELS", 24_000_000)


def _encode(image: Image.Image, fmt: str) -> bytes:
    buffer = io.BytesIO()
    if fmt == "JPEG" and image.mode not in ("RGB", "L"):
        image = image.convert("RGB")
    options = {} if fmt == "PNG" else {"quality": 85}
    image.save(buffer, format=fmt, **options)
    return buffer.getvalue()


def _unreadable(upload: UploadedFile) -> ValidationError:
    return ValidationError(
        _("%(name)s is not a readable JPEG, PNG, WebP photo or PDF document.")
        % {"name": upload.name}
    )


def _too_many_pixels(upload: UploadedFile, limit: int) -> ValidationError:
    return ValidationError(
        _("%(name)s has more than %(mp)d million pixels; please send a smaller photo.")
        % {"name": upload.name, "mp": limit // 1_000_000}
    )


def _target_mode(mode: str) -> str:
    """A mode every format can store, as small as the pixels allow (1-bit stays 8-bit grey)."""
    if mode in ("RGB", "RGBA", "L", "LA"):
        return mode
    if mode in ("1", "I", "I;16", "I;16B", "I;16L", "F"):
        return "L"
    if mode in ("CMYK", "YCbCr", "LAB", "HSV"):
        return "RGB"
    return "RGBA"  # palette images and the rest, transparency kept


def _clean_image(upload: UploadedFile) -> CleanFile:
    limit = image_pixel_limit()
    max_side = settings.GOVERNANCE.get("IMAGE_MAX_SIDE", 4096)
    try:
        # Reads the header only, and only with the three decoders we accept: no other
        # format's parser ever sees an upload.
        original = Image.open(upload, formats=list(IMAGE_FORMATS))
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError):
        raise _unreadable(upload) from None
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise _too_many_pixels(upload, limit) from None
    source = original
    try:
        fmt = original.format
        if fmt not in IMAGE_FORMATS:
            raise ValidationError(
                _("%(name)s: only JPEG, PNG, WebP photos or PDF documents are accepted.")
                % {"name": upload.name}
            )
        width, height = original.size
        if width * height > limit:
            raise _too_many_pixels(upload, limit)
        if fmt == "JPEG":
            original.draft(original.mode, (max_side, max_side))  # decode at a reduced scale
        original.load()
        if max(original.size) > max_side:
            original.thumbnail((max_side, max_side), Image.Resampling.BICUBIC)  # before converting
        ImageOps.exif_transpose(original, in_place=True)
        mode = _target_mode(original.mode)
        if original.mode != mode:
            source = original.convert(mode)
            original.close()  # one decoded copy at a time
        # A fresh image from the pixels alone carries no EXIF, GPS, XMP or text chunks.
        pixels = Image.new(mode, source.size)
        pixels.paste(source)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise _too_many_pixels(upload, limit) from None
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError):
        raise _unreadable(upload) from None
    finally:
        source.close()
        original.close()
    data = _encode(pixels, fmt)
    pixels.thumbnail(THUMBNAIL_SIZE)  # in place: the full image is let go here
    return CleanFile(
        ContentFile(data), ContentFile(_encode(pixels, fmt)), IMAGE_FORMATS[fmt], len(data)
    )


def _is_active(value: pikepdf.Object) -> bool:
    """An action or annotation that runs, launches, submits or plays something."""
    if not isinstance(value, pikepdf.Dictionary):
        return False
    kind = value.get("/S")
    subtype = value.get("/Subtype")
    return (kind is not None and str(kind) in PDF_ACTIVE_ACTIONS) or (
        subtype is not None and str(subtype) in PDF_ACTIVE_SUBTYPES
    )


def _strip_active(pdf: pikepdf.Pdf) -> None:
    """Remove every script, action, embedded file, media and XML form from `pdf`."""
    root = pdf.Root
    for key in ("/Metadata", "/OpenAction", "/AA", "/Names", "/AcroForm", "/URI"):
        if key in root:
            del root[key]
    if "/Info" in pdf.trailer:
        del pdf.trailer["/Info"]  # author, producer and other personal metadata
    for page in pdf.pages:
        if "/AA" in page.obj:
            del page.obj["/AA"]
        if "/Annots" in page.obj:
            kept = [a for a in page.obj.Annots if not _is_active(a) and "/A" not in a]
            page.obj.Annots = pikepdf.Array(kept)
    for item in pdf.objects:  # every indirect object; direct ones are reached from them
        if isinstance(item, pikepdf.Stream):
            _strip_dictionary(item.stream_dict)
        elif isinstance(item, pikepdf.Dictionary):
            _strip_dictionary(item)
        elif isinstance(item, pikepdf.Array):
            _strip_direct(item)


def _strip_dictionary(holder: pikepdf.Dictionary) -> None:
    for key in list(holder.keys()):
        value = holder[key]
        if key in PDF_ACTIVE_KEYS or (key == "/A" and _is_active(value)):
            del holder[key]
        else:
            _strip_direct(value)


def _strip_direct(value: pikepdf.Object) -> None:
    """Strip the dictionaries nested directly in `value` (indirect ones are visited apart)."""
    if isinstance(value, pikepdf.Dictionary) and not value.is_indirect:
        _strip_dictionary(value)
    elif isinstance(value, pikepdf.Array):
        for element in value:
            if isinstance(element, pikepdf.Dictionary | pikepdf.Array) and not element.is_indirect:
                _strip_direct(element)


def _clean_pdf(upload: UploadedFile) -> CleanFile:
    """The PDF parsed and written anew: no scripts, actions, embedded files or forms, and
    nothing before its header or after its end (a polyglot's HTML is not carried over)."""
    try:
        with pikepdf.open(io.BytesIO(upload.read())) as pdf:
            if pdf.is_encrypted:
                raise _unreadable(upload)
            _strip_active(pdf)
            buffer = io.BytesIO()
            pdf.save(
                buffer,
                compress_streams=True,
                object_stream_mode=pikepdf.ObjectStreamMode.disable,
                deterministic_id=True,
            )
    except ValidationError:
        raise
    except (pikepdf.PdfError, pikepdf.PasswordError, ValueError, RecursionError):
        raise _unreadable(upload) from None
    data = buffer.getvalue()
    return CleanFile(ContentFile(data), None, "application/pdf", len(data))


def clean_upload(upload: UploadedFile) -> CleanFile:
    """Check an upload and return it cleaned: images rebuilt from pixels alone (no EXIF/GPS),
    PDFs re-written without active content."""
    limit = settings.GOVERNANCE["ATTACHMENT_MAX_BYTES"]
    if upload.size is None or upload.size > limit:
        raise ValidationError(
            _("%(name)s is larger than %(mb)d MB.") % {"name": upload.name, "mb": limit // 2**20}
        )
    head = upload.read(5)
    upload.seek(0)
    if head == b"%PDF-":
        return _clean_pdf(upload)
    return _clean_image(upload)
