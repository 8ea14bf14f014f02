"""Taking in a CAP 1.2 alert from an upstream authority (a meteorological warning, say) as an
incident draft for the areas it names.

- the document is parsed safely and checked against the CAP 1.2 schema (`validation`);
- its areas are our area codes among its geocodes, else the grids its polygons overlap;
- the person sending it must manage incidents over every one of those areas;
- an `Alert` becomes one draft incident (source cap, source_reference "sender,identifier,sent")
  with its DECLARED timeline entry; the same alert again changes nothing (a unique constraint
  holds even against two concurrent deliveries); an `Update` or `Cancel` adds a timeline note
  to the incident of the alert it refers to (once), or, if we never took that one, an Update
  starts a draft of its own.

After commit the people who may manage incidents in its areas — the leaders and dispatchers
assigned at or above them — are told through the notification centre (`notifications.many.tell`,
kind `emergency_notice`), with a link to the board; the person who sent it in is not.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from emergency.access import IncidentAction, may, may_manage_areas, prefixes
from emergency.cap.places import Places, resolve
from emergency.cap.reading import Alert, AlertInfo, read_alert
from emergency.cap.validation import InvalidAlert, validated
from emergency.models import (
    Incident,
    IncidentArea,
    IncidentEvent,
    IncidentEventKind,
    IncidentKind,
    IncidentLevel,
    IncidentSource,
    IncidentStatus,
)
from governance import clock
from governance.addresses import absolute
from governance.errors import NotPermitted
from governance.models import Area, Assignment, Role
from notifications.many import tell
from notifications.models import NotificationKind

MAX_ALERT_BYTES = 512 * 1024

LEVEL = {"Extreme": IncidentLevel.I, "Severe": IncidentLevel.II, "Moderate": IncidentLevel.III}

# Words of an alert's event or headline that name one of our kinds, looked for first.
KEYWORDS: list[tuple[tuple[str, ...], str]] = [
    (("暴雨", "洪", "内涝", "rain", "flood"), IncidentKind.FLOOD),
    (("台风", "大风", "typhoon", "hurricane", "cyclone", "gale", "wind"), IncidentKind.TYPHOON),
    (("地震", "滑坡", "泥石流", "earthquake", "landslide", "mudslide"), IncidentKind.EARTHQUAKE),
    (("火", "fire"), IncidentKind.FIRE),
    (("燃气", "gas"), IncidentKind.GAS),
    (("化学", "危化", "chemical", "hazmat"), IncidentKind.HAZARDOUS_CHEMICALS),
    (("停水", "停电", "供暖", "power", "water supply", "outage"), IncidentKind.UTILITIES),
    (("交通", "traffic"), IncidentKind.TRAFFIC),
    (("疫", "传染", "epidemic", "disease", "outbreak"), IncidentKind.PUBLIC_HEALTH),
]

# Else the kind of the CAP category.
CATEGORY_KIND = {
    "Geo": IncidentKind.EARTHQUAKE,
    "Fire": IncidentKind.FIRE,
    "Health": IncidentKind.PUBLIC_HEALTH,
    "Security": IncidentKind.SOCIAL_SECURITY,
    "Transport": IncidentKind.TRAFFIC,
    "Infra": IncidentKind.UTILITIES,
    "CBRNE": IncidentKind.HAZARDOUS_CHEMICALS,
}

TAKEN_STATUSES = ("Actual", "Exercise")
TAKEN_TYPES = ("Alert", "Update", "Cancel")


@dataclass(frozen=True)
class Taken:
    """What taking an alert did: the incident, and whether it was created or noted now."""

    incident: Incident
    created: bool = False
    noted: bool = False
    places: Places | None = None


def kind_of(alert: Alert) -> str:
    words = " ".join(f"{info.event} {info.headline}" for info in alert.infos).lower()
    for keywords, kind in KEYWORDS:
        if any(keyword in words for keyword in keywords):
            return kind
    for info in alert.infos:
        for category in info.categories:
            if category in CATEGORY_KIND:
                return CATEGORY_KIND[category]
    return IncidentKind.OTHER


def level_of(alert: Alert) -> int:
    return min((LEVEL.get(info.severity, IncidentLevel.IV) for info in alert.infos), default=4)


def _title(info: AlertInfo | None) -> str:
    return ((info.headline or info.event) if info else "")[:200]


def _description(info: AlertInfo | None) -> str:
    if info is None:
        return ""
    return "\n\n".join(part for part in (info.description, info.instruction) if part)


def _details(alert: Alert, places: Places | None = None) -> dict:
    details = {
        "source": "cap",
        "reference": alert.reference,
        "sender": alert.sender,
        "identifier": alert.identifier,
        "sent": alert.sent_text,
        "status": alert.status,
        "msg_type": alert.msg_type,
        "references": alert.references,
        "severity": [info.severity for info in alert.infos],
        "sender_name": next((info.sender_name for info in alert.infos if info.sender_name), ""),
    }
    if places is not None:
        details["areas"] = [area.code for area in places.areas]
        details["areas_from"] = places.how
    return details


def _check(alert: Alert) -> None:
    if alert.status not in TAKEN_STATUSES:
        raise InvalidAlert(
            _("A %(status)s alert makes no incident: only Actual and Exercise alerts do.")
            % {"status": alert.status}
        )
    if alert.msg_type not in TAKEN_TYPES:
        raise InvalidAlert(
            _("A %(type)s message makes no incident: only Alert, Update and Cancel do.")
            % {"type": alert.msg_type}
        )
    if not alert.infos:
        raise InvalidAlert(_("The alert has no info block: nothing says what it warns of."))


def take_alert(*, data: bytes, user) -> Taken:
    """Take an upstream alert in; InvalidAlert (bad document, nothing of ours) or NotPermitted."""
    if len(data) > MAX_ALERT_BYTES:
        raise InvalidAlert(
            _("An alert may be at most %(size)d KiB.") % {"size": MAX_ALERT_BYTES // 1024}
        )
    alert = read_alert(validated(data))
    _check(alert)
    if alert.msg_type != "Alert":
        earlier = Incident.objects.filter(
            source=IncidentSource.CAP, source_reference__in=alert.references
        ).first()
        if earlier is not None:
            return _note(alert, earlier, user)
        if alert.msg_type == "Cancel":
            raise InvalidAlert(_("The alert cancels an alert that was never taken in here."))
    existing = Incident.objects.filter(
        source=IncidentSource.CAP, source_reference=alert.reference
    ).first()
    if existing is not None:
        _permitted(user, existing)
        return Taken(existing)
    places = resolve(alert)
    if not places.areas:
        raise InvalidAlert(
            _(
                "The alert names none of our areas: no geocode is one of our area codes and no "
                "polygon overlaps one of our grids."
            )
        )
    if not may_manage_areas(user, [area.path for area in places.areas]):
        raise NotPermitted(_("You may not declare incidents in the areas this alert names."))
    try:
        with transaction.atomic():
            return _declare(alert, places, user)
    except IntegrityError:  # the same alert, taken a moment ago by a concurrent request
        existing = Incident.objects.get(source=IncidentSource.CAP, source_reference=alert.reference)
        return Taken(existing)


def _permitted(user, incident: Incident) -> None:
    if not may(user, IncidentAction.MANAGE, incident):
        raise NotPermitted(_("You may not change the incident this alert refers to."))


def _declare(alert: Alert, places: Places, user) -> Taken:
    now = clock.now()
    chinese, english = alert.info_in("zh"), alert.info_in("en")
    first = alert.infos[0]
    incident = Incident.objects.create(
        title=_title(chinese) or _title(english) or _title(first) or alert.identifier[:200],
        title_en=_title(english),
        description=_description(chinese or english or first),
        kind=kind_of(alert),
        level=level_of(alert),
        status=IncidentStatus.DRAFT,
        exercise=alert.status == "Exercise",
        polygon=places.drawn,
        source=IncidentSource.CAP,
        source_reference=alert.reference,
        declared_by=user if user.is_authenticated else None,
        occurred_at=first.onset or first.effective or alert.sent,
        created_at=now,
        updated_at=now,
    )
    for area in places.areas:
        IncidentArea.objects.create(incident=incident, area=area)
    IncidentEvent.objects.create(
        incident=incident,
        kind=IncidentEventKind.DECLARED,
        at=now,
        actor=user,
        note=_("Taken from the CAP alert %(identifier)s of %(sender)s.")
        % {"identifier": alert.identifier, "sender": alert.sender},
        data=_details(alert, places),
    )
    _tell_managers(incident, places.areas, user, updated=False)
    return Taken(incident, created=True, places=places)


def _note(alert: Alert, incident: Incident, user) -> Taken:
    _permitted(user, incident)
    with transaction.atomic():
        incident = Incident.objects.select_for_update().get(pk=incident.pk)
        if incident.events.filter(data__reference=alert.reference).exists():
            return Taken(incident)
        info = alert.info_in("zh") or alert.info_in("en") or alert.infos[0]
        now = clock.now()
        if alert.msg_type == "Cancel":
            note = _("The upstream alert was cancelled: %(headline)s")
        else:
            note = _("The upstream alert was updated: %(headline)s")
        IncidentEvent.objects.create(
            incident=incident,
            kind=IncidentEventKind.NOTE,
            at=now,
            actor=user,
            note=(
                note % {"headline": info.headline or info.event} + "\n\n" + _description(info)
            ).strip(),
            data=_details(alert, resolve(alert)),
        )
        Incident.objects.filter(pk=incident.pk).update(updated_at=now)
        areas = [row.area for row in incident.affected.select_related("area")]
        _tell_managers(incident, areas, user, updated=True)
    return Taken(incident, noted=True)


MANAGER_ROLES = (Role.LEADER, Role.DISPATCHER)


def managers_of(areas: list[Area]) -> list:
    """The active people assigned as leader or dispatcher on an area at or above `areas`."""
    above = {path for area in areas for path in prefixes(area.path)}
    if not above:
        return []
    return list(
        get_user_model()
        .objects.filter(
            is_active=True,
            pk__in=Assignment.objects.filter(area__path__in=above, role__in=MANAGER_ROLES).values(
                "user_id"
            ),
        )
        .order_by("pk")
    )


def _tell_managers(incident: Incident, areas: list[Area], sender, *, updated: bool) -> None:
    """Tell the managers of the areas that an upstream alert made (or changed) a draft
    (inside the transaction: the notifications are written with it, pushed after commit)."""
    people = [person for person in managers_of(areas) if person.pk != getattr(sender, "pk", None)]
    title_en = incident.title_en or incident.title
    if updated:
        params = {
            "title": f"上游预警已更新：{incident.title}",
            "title_en": f"Upstream alert changed: {title_en}",
        }
    else:
        params = {
            "title": f"上游预警待处理：{incident.title}",
            "title_en": f"Upstream alert to review: {title_en}",
        }
    link = absolute(reverse("emergency:incident", args=[incident.pk]))
    tell(people, kind=NotificationKind.EMERGENCY_NOTICE, params={**params, "link": link}, body=link)
