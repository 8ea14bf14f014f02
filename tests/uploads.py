"""Uploaded files for tests, built in memory with Pillow."""

from __future__ import annotations

import io
from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, PngImagePlugin

GPS_IFD = 0x8825
MAKE = 0x010F


def jpeg_bytes(size: tuple[int, int] = (800, 600), *, gps: bool = True) -> bytes:
    """A JPEG whose EXIF names the camera and, if `gps`, where the photo was taken."""
    image = Image.new("RGB", size, (200, 120, 40))
    exif = Image.Exif()
    exif[MAKE] = "PhoneMaker"
    if gps:
        exif[GPS_IFD] = {
            1: "N",  # GPSLatitudeRef
            2: (30.0, 1.0, 30.0),  # GPSLatitude
            3: "E",  # GPSLongitudeRef
            4: (120.0, 0.0, 36.0),  # GPSLongitude
        }
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", exif=exif)
    return buffer.getvalue()


def png_bytes(size: tuple[int, int] = (640, 480)) -> bytes:
    """A PNG with a text chunk carrying personal data."""
    image = Image.new("RGBA", size, (10, 200, 30, 255))
    info = PngImagePlugin.PngInfo()
    info.add_text("Author", "张三 13800000001")
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", pnginfo=info)
    return buffer.getvalue()


def pdf_bytes(*, text: str = "Report") -> bytes:
    """A real one-page PDF (a catalog, a page tree and a page with a line of text)."""
    import pikepdf

    pdf = pikepdf.new()
    pdf.add_blank_page(page_size=(200, 100))
    font = pdf.make_indirect(
        pikepdf.Dictionary(
            Type=pikepdf.Name.Font, Subtype=pikepdf.Name.Type1, BaseFont="/Helvetica"
        )
    )
    page = pdf.pages[0]
    page.obj.Resources = pikepdf.Dictionary(Font=pikepdf.Dictionary(F1=font))
    page.obj.Contents = pdf.make_stream(f"BT /F1 12 Tf 20 50 Td ({text}) Tj ET".encode())
    buffer = io.BytesIO()
    pdf.save(buffer)
    return buffer.getvalue()


PDF = pdf_bytes()


def upload(name: str, data: bytes, content_type: str = "application/octet-stream"):
    return SimpleUploadedFile(name, data, content_type=content_type)


def photo(name: str = "photo.jpg") -> SimpleUploadedFile:
    return upload(name, jpeg_bytes(), "image/jpeg")


def text_file(name: str = "notes.jpg") -> SimpleUploadedFile:
    return upload(name, "这不是图片\n".encode() * 20, "image/jpeg")


def stored_files(root: Path) -> list[Path]:
    """Every file under MEDIA_ROOT."""
    return sorted(p for p in Path(root).rglob("*") if p.is_file()) if Path(root).exists() else []


def make_public(monkeypatch, *events) -> None:
    """Give `events` (and their files) the public audience, as a staff member's public summary
    has; the case still caps it (`governance.audience`). `monkeypatch` is unused, kept for the
    callers' signature."""
    from governance.models import Audience, CaseEvent

    CaseEvent.objects.filter(pk__in=[e.pk for e in events]).update(audience=Audience.PUBLIC)
    for event in events:
        event.audience = Audience.PUBLIC


def bomb_png(side: int = 8_500) -> bytes:
    """A real decompression bomb: a valid 1-bit PNG of `side` × `side` black pixels that is a
    few kilobytes on the wire and `side`² bytes or more once decoded (72 MB at 8,500)."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", side, side, 1, 0, 0, 0, 0)  # 1-bit greyscale
    row = b"\x00" * (1 + (side + 7) // 8)  # filter byte + packed pixels
    packer = zlib.compressobj(9)
    data = b"".join(packer.compress(row) for _ in range(side)) + packer.flush()
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", data) + chunk(b"IEND", b"")
    )


def bomb(name: str = "bomb.png") -> SimpleUploadedFile:
    return upload(name, bomb_png(), "image/png")
