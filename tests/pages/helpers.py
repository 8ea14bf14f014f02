"""Small helpers for the page tests."""

from __future__ import annotations

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image


def png(name: str = "photo.png", size: tuple[int, int] = (40, 30)) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 80, 40)).save(buffer, format="PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def submission(city, **extra) -> dict:
    lon, lat = city.point_a
    data = {
        "category": city.category.pk,
        "description": "垃圾堆在路边",
        "lon": lon,
        "lat": lat,
        "address": "",
        "urgency": "general",
        "answer_amount": "large",
    }
    data.update(extra)
    return data
