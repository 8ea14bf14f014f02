"""A public notice as a CAP 1.2 alert: the XML document others take our warnings from.

One `info` block per language (zh-CN from the Chinese fields, en-US from the English ones,
falling back to the Chinese), one `area` block per area warned (its name, its boundary as CAP
polygons, its code as a geocode). Nothing personal is in an alert: no sender's name or phone.
"""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.db.models import QuerySet
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from lxml import etree
from shapely.geometry.base import BaseGeometry

from emergency.cap.validation import NS
from emergency.models import IncidentKind, MessageType, Notice
from governance.addresses import absolute
from governance.geometry import parse_boundary
from governance.models import Area, Level

# CAP `category` of each incident kind.
CATEGORY = {
    IncidentKind.FLOOD: "Met",
    IncidentKind.TYPHOON: "Met",
    IncidentKind.EARTHQUAKE: "Geo",
    IncidentKind.FIRE: "Fire",
    IncidentKind.GAS: "Safety",
    IncidentKind.HAZARDOUS_CHEMICALS: "Env",
    IncidentKind.UTILITIES: "Infra",
    IncidentKind.TRAFFIC: "Transport",
    IncidentKind.PUBLIC_HEALTH: "Health",
    IncidentKind.SOCIAL_SECURITY: "Security",
    IncidentKind.OTHER: "Other",
}

# CAP language → Django language.
LANGUAGES = (("zh-CN", "zh-hans"), ("en-US", "en"))

# `geocode` valueName: city and district codes are GB/T 2260 codes; the longer street,
# community and grid codes extend them (3 digits a level) and are named as ours.
GB_T_2260 = "GB/T 2260"
AREA_CODE = "grid-area-code"

# A polygon with more points than this is simplified until it has fewer (CAP readers and SMS
# cell-broadcast gateways choke on huge polygons).
MAX_POLYGON_POINTS = 200

# The public page of a notice, if the app has one (else the alert links its own document).
PUBLIC_PAGE = "emergency:public-notice"

CAP_MEDIA_TYPE = "application/cap+xml"


def public_notices() -> QuerySet[Notice]:
    """The notices that are also public alerts, newest first."""
    return (
        Notice.objects.filter(public=True)
        .select_related("incident", "references")
        .order_by("-sent_at", "-pk")
    )


def cap_time(moment: datetime) -> str:
    """CAP's date-time: local time, whole seconds, with its offset ("2026-07-01T08:00:00+08:00")."""
    return timezone.localtime(moment).replace(microsecond=0).isoformat()


def reference(notice: Notice) -> str:
    """The alert as another alert refers to it: "sender,identifier,sent"."""
    return f"{settings.CAP_SENDER},{notice.identifier},{cap_time(notice.sent_at)}"


def references(notice: Notice) -> list[str]:
    """The earlier public alerts this one updates or cancels, oldest first (the whole chain)."""
    chain: list[str] = []
    seen = {notice.pk}
    earlier = notice.references
    while earlier is not None and earlier.pk not in seen and len(chain) < 50:
        seen.add(earlier.pk)
        if earlier.public:
            chain.append(reference(earlier))
        earlier = earlier.references
    return list(reversed(chain))


def alert_path(notice: Notice) -> str:
    return reverse("emergency:cap-alert", args=[notice.identifier])


def alert_url(notice: Notice) -> str:
    """The alert document's absolute address (on SITE_URL: the same whoever asks)."""
    return absolute(alert_path(notice))


def web_url(notice: Notice) -> str:
    try:
        return absolute(reverse(PUBLIC_PAGE, args=[notice.identifier]))
    except NoReverseMatch:
        return alert_url(notice)


def warned_areas(notice: Notice) -> list[Area]:
    """Where people are warned: the notice's target areas, else the incident's affected ones."""
    ids = [pk for pk in (notice.target or {}).get("areas", []) if isinstance(pk, int)]
    if not ids and notice.incident_id:
        ids = list(notice.incident.affected.values_list("area_id", flat=True))
    return list(Area.objects.filter(pk__in=ids).order_by("path"))


def _number(value: float) -> str:
    return f"{value:.6f}".rstrip("0").rstrip(".")


def _simplified(geometry: BaseGeometry) -> BaseGeometry:
    tolerance = 0.0001
    while _points(geometry) > MAX_POLYGON_POINTS and tolerance < 1:
        geometry = geometry.simplify(tolerance, preserve_topology=True)
        tolerance *= 2
    return geometry


def _points(geometry: BaseGeometry) -> int:
    parts = getattr(geometry, "geoms", [geometry])
    return sum(len(part.exterior.coords) for part in parts)


def cap_polygons(boundary: dict | None) -> list[str]:
    """An area's boundary as CAP polygons: "lat,lon lat,lon …", closed, one per part (CAP has
    no holes: the outer ring)."""
    if not boundary:
        return []
    geometry = _simplified(parse_boundary(boundary))
    polygons = []
    for part in getattr(geometry, "geoms", [geometry]):
        ring = list(part.exterior.coords)
        if ring[0] != ring[-1]:
            ring.append(ring[0])
        polygons.append(" ".join(f"{_number(lat)},{_number(lon)}" for lon, lat, *_z in ring))
    return polygons


def geocode_name(area: Area) -> str:
    return GB_T_2260 if area.level in (Level.CITY, Level.DISTRICT) else AREA_CODE


def _sender_name() -> str:
    city = Area.objects.active().filter(level=Level.CITY).order_by("path").first()
    if city is None:
        return _("Emergency management")
    return _("%(city)s emergency management") % {"city": city.display_name}


def _add(parent: etree._Element, tag: str, text: str | None = None) -> etree._Element:
    element = etree.SubElement(parent, f"{{{NS}}}{tag}")
    if text is not None:
        element.text = text
    return element


def localised(notice: Notice, language: str) -> dict[str, str]:
    """The notice's texts in a Django language, English falling back to Chinese."""
    english = language.startswith("en")
    return {
        "headline": (notice.title_en if english else "") or notice.title,
        "description": (notice.body_en if english else "") or notice.body,
        "instruction": (notice.instruction_en if english else "") or notice.instruction,
    }


def _info(alert: etree._Element, notice: Notice, areas: list[Area], cap_language: str) -> None:
    texts = localised(notice, translation.get_language())
    incident = notice.incident if notice.incident_id else None
    info = _add(alert, "info")
    _add(info, "language", cap_language)
    _add(info, "category", CATEGORY.get(incident.kind, "Other") if incident else "Other")
    _add(info, "event", str(IncidentKind(incident.kind).label) if incident else _("public notice"))
    _add(info, "urgency", notice.urgency)
    _add(info, "severity", notice.severity)
    _add(info, "certainty", notice.certainty)
    if notice.expires_at:
        _add(info, "expires", cap_time(notice.expires_at))
    _add(info, "senderName", _sender_name())
    _add(info, "headline", texts["headline"])
    _add(info, "description", texts["description"])
    if texts["instruction"]:
        _add(info, "instruction", texts["instruction"])
    _add(info, "web", web_url(notice))
    for area in areas:
        block = _add(info, "area")
        _add(block, "areaDesc", area.display_name)
        for polygon in cap_polygons(area.boundary):
            _add(block, "polygon", polygon)
        geocode = _add(block, "geocode")
        _add(geocode, "valueName", geocode_name(area))
        _add(geocode, "value", area.code)


def alert_element(notice: Notice) -> etree._Element:
    """The CAP 1.2 `alert` of a public notice."""
    alert = etree.Element(f"{{{NS}}}alert", nsmap={None: NS})
    _add(alert, "identifier", notice.identifier)
    _add(alert, "sender", settings.CAP_SENDER)
    _add(alert, "sent", cap_time(notice.sent_at))
    _add(alert, "status", "Exercise" if notice.exercise else "Actual")
    _add(alert, "msgType", notice.msg_type)
    _add(alert, "scope", "Public")
    if notice.exercise:
        _add(alert, "note", "演练，非真实事件 / Exercise: not a real emergency")
    earlier = references(notice) if notice.msg_type != MessageType.ALERT else []
    if earlier:
        _add(alert, "references", " ".join(earlier))
    if notice.incident_id:
        _add(alert, "incidents", f"incident-{notice.incident_id}")
    areas = warned_areas(notice)
    for cap_language, django_language in LANGUAGES:
        with translation.override(django_language):
            _info(alert, notice, areas, cap_language)
    return alert


def alert_xml(notice: Notice) -> bytes:
    """The alert as a UTF-8 XML document."""
    return etree.tostring(
        alert_element(notice), xml_declaration=True, encoding="UTF-8", pretty_print=True
    )
