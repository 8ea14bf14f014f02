"""The Atom 1.0 feed of our public alerts: one entry per alert, newest first, each linking its
CAP document (the convention CAP aggregators read), a page at a time."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from lxml import etree

from emergency.cap.alerts import (
    CAP_MEDIA_TYPE,
    alert_url,
    cap_time,
    localised,
    public_notices,
    web_url,
)
from governance.addresses import absolute

ATOM = "http://www.w3.org/2005/Atom"
PAGE_SIZE = 50


def _add(parent: etree._Element, tag: str, text: str | None = None, **attributes: str):
    element = etree.SubElement(parent, f"{{{ATOM}}}{tag}", attrib=attributes)
    if text is not None:
        element.text = text
    return element


def feed_xml(page: int = 1, *, page_size: int | None = None) -> bytes:
    """Page `page` (from 1) of the feed, with `next`/`previous` links where there are more."""
    page = max(page, 1)
    page_size = page_size or PAGE_SIZE
    start = (page - 1) * page_size
    notices = list(public_notices()[start : start + page_size + 1])
    has_next = len(notices) > page_size
    notices = notices[:page_size]
    feed_path = reverse("emergency:cap-feed")
    feed = etree.Element(f"{{{ATOM}}}feed", nsmap={None: ATOM})
    feed.set("{http://www.w3.org/XML/1998/namespace}lang", translation.get_language() or "zh")
    _add(feed, "id", absolute(feed_path))
    _add(feed, "title", _("Public alerts (CAP 1.2)"))
    newest = notices[0].sent_at if notices else None
    _add(feed, "updated", cap_time(newest or timezone.now().replace(microsecond=0)))
    author = _add(feed, "author")
    _add(author, "name", _("Emergency management"))
    _add(feed, "link", rel="self", href=absolute(feed_path + (f"?page={page}" if page > 1 else "")))
    if page > 1:
        previous = feed_path + (f"?page={page - 1}" if page > 2 else "")
        _add(feed, "link", rel="previous", href=absolute(previous))
    if has_next:
        _add(feed, "link", rel="next", href=absolute(f"{feed_path}?page={page + 1}"))
    for notice in notices:
        texts = localised(notice, translation.get_language() or "zh-hans")
        entry = _add(feed, "entry")
        _add(entry, "id", alert_url(notice))
        _add(entry, "title", texts["headline"])
        _add(entry, "updated", cap_time(notice.sent_at))
        _add(entry, "published", cap_time(notice.sent_at))
        _add(entry, "summary", texts["description"][:500])
        _add(entry, "category", term=notice.msg_type)
        if notice.exercise:
            _add(entry, "category", term="Exercise")
        _add(entry, "link", rel="alternate", type=CAP_MEDIA_TYPE, href=alert_url(notice))
        _add(entry, "link", rel="related", type="text/html", href=web_url(notice))
    return etree.tostring(feed, xml_declaration=True, encoding="UTF-8", pretty_print=True)
