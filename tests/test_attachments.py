"""Uploads: photos rebuilt without metadata, thumbnails, size and type limits."""

from __future__ import annotations

import io

import pikepdf
import pytest
from django.core.exceptions import ValidationError
from PIL import Image

from governance import workflow
from governance.attachments import MAX_PER_CASE, clean_upload
from governance.errors import InvalidInput
from governance.models import Attachment, Status
from tests.cases import case_in, submit
from tests.uploads import (
    GPS_IFD,
    MAKE,
    PDF,
    jpeg_bytes,
    photo,
    png_bytes,
    stored_files,
    text_file,
    upload,
)

pytestmark = pytest.mark.usefixtures("english")


def opened(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


def test_the_test_photo_really_carries_gps_and_camera():
    original = opened(jpeg_bytes())
    exif = original.getexif()
    assert exif[MAKE] == "PhoneMaker"
    assert exif.get_ifd(GPS_IFD)[1] == "N"
    assert b"PhoneMaker" in jpeg_bytes()


def test_a_jpeg_comes_out_without_any_exif():
    cleaned = clean_upload(upload("gps.jpg", jpeg_bytes(), "image/jpeg"))
    data = cleaned.content.read()
    image = opened(data)
    assert image.format == "JPEG" and cleaned.content_type == "image/jpeg"
    assert "exif" not in image.info
    assert dict(image.getexif()) == {}
    assert b"Exif" not in data and b"PhoneMaker" not in data
    assert image.size == (800, 600)
    assert cleaned.size == len(data)
    thumbnail = cleaned.thumbnail.read()
    assert b"Exif" not in thumbnail and dict(opened(thumbnail).getexif()) == {}


def test_a_photo_taken_sideways_is_turned_upright():
    image = Image.new("RGB", (400, 200), (0, 0, 0))
    exif = Image.Exif()
    exif[0x0112] = 6  # Orientation: rotate 90° clockwise to view
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", exif=exif)
    cleaned = clean_upload(upload("side.jpg", buffer.getvalue()))
    assert opened(cleaned.content.read()).size == (200, 400)


def test_a_png_loses_its_text_chunks():
    source = png_bytes()
    assert opened(source).text == {"Author": "张三 13800000001"}
    cleaned = clean_upload(upload("shot.png", source, "image/png"))
    data = cleaned.content.read()
    image = opened(data)
    assert (image.format, cleaned.content_type) == ("PNG", "image/png")
    assert image.text == {}
    assert b"13800000001" not in data and b"Author" not in data
    assert image.mode == "RGBA"


@pytest.mark.parametrize(
    ("size", "thumb"),
    [((800, 600), (320, 240)), ((600, 1200), (160, 320)), ((100, 50), (100, 50))],
)
def test_the_thumbnail_fits_in_320_pixels(size, thumb):
    cleaned = clean_upload(upload("a.jpg", jpeg_bytes(size)))
    thumbnail = opened(cleaned.thumbnail.read())
    assert thumbnail.size == thumb
    assert max(thumbnail.size) <= 320
    assert opened(cleaned.content.read()).size == size


def test_an_oversize_file_is_refused(settings):
    settings.GOVERNANCE = {**settings.GOVERNANCE, "ATTACHMENT_MAX_BYTES": 2048}
    big = jpeg_bytes((800, 600))
    assert len(big) > 2048
    with pytest.raises(ValidationError) as refused:
        clean_upload(upload("huge.jpg", big))
    assert "huge.jpg" in refused.value.messages[0]
    clean_upload(upload("small.pdf", PDF))  # under the limit: fine


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("notes.txt", "这不是图片".encode() * 50),
        ("fake.jpg", b"\xff\xd8\xff\xe0 not really a jpeg"),
        ("empty.png", b""),
        ("cut.jpg", jpeg_bytes()[:300]),  # a truncated photo
        ("page.html", b"<html><script>alert(1)</script></html>"),
    ],
)
def test_what_is_not_a_readable_photo_or_pdf_is_refused(name, data):
    with pytest.raises(ValidationError) as refused:
        clean_upload(upload(name, data))
    assert name in refused.value.messages[0]


def test_other_image_formats_are_refused():
    buffer = io.BytesIO()
    Image.new("RGB", (20, 20)).save(buffer, format="GIF")
    with pytest.raises(ValidationError) as refused:
        clean_upload(upload("anim.gif", buffer.getvalue(), "image/gif"))
    assert "JPEG, PNG, WebP" in refused.value.messages[0]


def test_a_pdf_is_accepted_written_anew():
    cleaned = clean_upload(upload("report.pdf", PDF, "application/pdf"))
    data = cleaned.content.read()
    assert (cleaned.content_type, cleaned.thumbnail, cleaned.size) == (
        "application/pdf",
        None,
        len(data),
    )
    with pikepdf.open(io.BytesIO(data)) as pdf:
        assert len(pdf.pages) == 1
        assert b"(Report) Tj" in pdf.pages[0].Contents.read_bytes()


def test_a_stored_photo_has_no_gps_on_disk(city, people):
    case = submit(city, people, files=[photo(), upload("r.pdf", PDF)])
    image, document = case.attachments.order_by("pk")
    with image.file.open("rb") as stored:
        data = stored.read()
    assert b"Exif" not in data and b"PhoneMaker" not in data
    assert image.file.name.endswith(".jpg") and image.thumbnail.name.endswith(".jpg")
    assert document.file.name.endswith(".pdf") and not document.thumbnail
    assert (image.is_image, document.is_image) == (True, False)


def test_more_than_six_files_per_case_are_refused(city, people):
    case = case_in(Status.SUBMITTED, city, people, files=[photo() for _ in range(4)])
    with pytest.raises(InvalidInput) as refused:
        workflow.add_note(
            case_id=case.pk,
            actor=people.citizen,
            text="更多照片",
            files=[photo(), photo(), photo()],
        )
    assert list(refused.value.errors) == ["files"]
    assert case.attachments.count() == 4 and case.events.count() == 1
    workflow.add_note(case_id=case.pk, actor=people.citizen, text="两张", files=[photo(), photo()])
    assert case.attachments.count() == MAX_PER_CASE == 6


def test_resolution_photos_are_tied_to_the_resolution(city, people):
    case = case_in(Status.IN_PROGRESS, city, people)
    workflow.resolve_case(case_id=case.pk, actor=people.clerk, note="已清理", files=[photo()])
    attachment = Attachment.objects.get(case=case)
    assert attachment.event.kind == "resolved"
    assert attachment.uploaded_by == people.clerk


def test_a_bad_resolution_photo_leaves_the_case_in_progress(city, people, settings):
    case = case_in(Status.IN_PROGRESS, city, people)
    with pytest.raises(InvalidInput):
        workflow.resolve_case(
            case_id=case.pk, actor=people.clerk, note="已清理", files=[photo(), text_file()]
        )
    case.refresh_from_db()
    assert case.status == Status.IN_PROGRESS and case.attachments.count() == 0
    assert stored_files(settings.MEDIA_ROOT) == []
