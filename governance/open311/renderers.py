"""Open311 documents in XML and JSON, and its error bodies.

JSON mirrors the XML: the top level is an array (or the discovery object); `None` is `null` in
JSON and an empty element in XML; booleans are `true`/`false`.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from typing import Any

from django.http import HttpResponse

XML_TYPE = "text/xml; charset=utf-8"
JSON_TYPE = "application/json; charset=utf-8"

# The XML element of one item of each list.
ITEM_TAGS = {
    "services": "service",
    "service_requests": "request",
    "attributes": "attribute",
    "values": "value",
    "endpoints": "endpoint",
    "formats": "format",
    "notes": "note",
    "media_urls": "media_url",
    "errors": "error",
}


def w3c(moment: datetime | None) -> str | None:
    """An ISO-8601 / W3C datetime in UTC with `Z`."""
    if moment is None:
        return None
    # isoformat is a third faster than strftime, and a list has thousands of these.
    return moment.astimezone(UTC).isoformat(timespec="seconds")[:19] + "Z"


# Characters XML 1.0 cannot carry, even escaped.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else _NOT_XML.sub("\ufffd", str(value))


def _escaped(text: str) -> str:
    """Element text escaped as ElementTree escapes it."""
    if "&" in text:
        text = text.replace("&", "&amp;")
    if "<" in text:
        text = text.replace("<", "&lt;")
    if ">" in text:
        text = text.replace(">", "&gt;")
    return text


def _write(parts: list[str], tag: str, value: Any) -> None:
    """`value` as the element `tag`, written the way ElementTree writes it (`<tag />` when empty).

    Written as text rather than built as an ElementTree: a list of 1,000 requests is some
    25,000 elements, and building then serialising them cost more than the rest of the response.
    Tags are our own keys, so only text needs escaping.
    """
    if isinstance(value, dict):
        if not value:
            parts.append(f"<{tag} />")
            return
        parts.append(f"<{tag}>")
        for key, child in value.items():
            _write(parts, key, child)
        parts.append(f"</{tag}>")
    elif isinstance(value, list):
        if not value:
            parts.append(f"<{tag} />")
            return
        parts.append(f"<{tag}>")
        item = ITEM_TAGS.get(tag, "item")
        for child in value:
            _write(parts, item, child)
        parts.append(f"</{tag}>")
    elif value is None or value == "":
        parts.append(f"<{tag} />")
    else:
        parts.append(f"<{tag}>{_escaped(_text(value))}</{tag}>")


def to_xml(root: str, document: Any) -> bytes:
    parts = ['<?xml version="1.0" encoding="utf-8"?>\n']
    _write(parts, root, document)
    return "".join(parts).encode("utf-8", "xmlcharrefreplace")


def respond(fmt: str, root: str, document: Any, status: int = 200) -> HttpResponse:
    """`document` as `fmt`: `root` names the XML root; JSON is the document itself."""
    if fmt == "xml":
        return HttpResponse(to_xml(root, document), content_type=XML_TYPE, status=status)
    body = json.dumps(document, ensure_ascii=False)
    return HttpResponse(body.encode(), content_type=JSON_TYPE, status=status)


def errors(fmt: str, status: int, descriptions: list[str]) -> HttpResponse:
    """The Open311 error body: [{code, description}] or <errors><error>…</error></errors>."""
    return respond(
        fmt,
        "errors",
        [{"code": status, "description": d} for d in descriptions],
        status=status,
    )
