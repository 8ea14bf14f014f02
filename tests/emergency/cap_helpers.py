"""Incidents and public notices for the CAP tests, and the schema check every document passes."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone
from lxml import etree

from emergency.cap.validation import NS, parse, schema_errors
from emergency.models import Incident, IncidentArea, IncidentKind, Notice

CAP = {"cap": NS}


def incident(*areas, exercise: bool = False, kind: str = IncidentKind.FLOOD) -> Incident:
    now = timezone.now()
    made = Incident.objects.create(
        title="青湖区暴雨内涝",
        title_en="Qinghu rainstorm flooding",
        kind=kind,
        level=2,
        exercise=exercise,
        occurred_at=now,
        created_at=now,
        updated_at=now,
    )
    for area in areas:
        IncidentArea.objects.create(incident=made, area=area)
    return made


def notice(incident: Incident | None = None, *, minutes_ago: int = 0, **fields) -> Notice:
    values = {
        "title": "暴雨橙色预警",
        "title_en": "Orange rainstorm warning",
        "body": "预计未来3小时内将出现50毫米以上降雨。",
        "body_en": "More than 50 mm of rain is expected within 3 hours.",
        "instruction": "请远离低洼地带。",
        "instruction_en": "Keep away from low-lying ground.",
        "public": True,
        "severity": "Severe",
        "urgency": "Expected",
        "certainty": "Likely",
        "sent_at": timezone.now() - timedelta(minutes=minutes_ago),
        "expires_at": timezone.now() + timedelta(hours=6),
    }
    values.update(fields)
    return Notice.objects.create(incident=incident, **values)


def valid(document: bytes) -> etree._Element:
    """The document, after checking it against the OASIS CAP 1.2 schema."""
    errors = schema_errors(parse(document))
    assert not errors, [f"{e.where}: {e.message}" for e in errors]
    return etree.fromstring(document)


def texts(root: etree._Element, path: str) -> list[str]:
    return [element.text for element in root.xpath(path, namespaces=CAP)]
