"""What an upstream CAP 1.2 alert says, read from its validated XML into plain values."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from xml.etree.ElementTree import Element

from emergency.cap.validation import NS


@dataclass(frozen=True)
class AlertArea:
    description: str
    polygons: list[str] = field(default_factory=list)
    circles: list[str] = field(default_factory=list)
    geocodes: list[tuple[str, str]] = field(default_factory=list)  # (valueName, value)


@dataclass(frozen=True)
class AlertInfo:
    language: str
    categories: list[str]
    event: str
    urgency: str
    severity: str
    certainty: str
    headline: str = ""
    description: str = ""
    instruction: str = ""
    sender_name: str = ""
    onset: datetime | None = None
    effective: datetime | None = None
    expires: datetime | None = None
    areas: list[AlertArea] = field(default_factory=list)


@dataclass(frozen=True)
class Alert:
    identifier: str
    sender: str
    sent: datetime
    sent_text: str
    status: str
    msg_type: str
    scope: str
    references: list[str]
    infos: list[AlertInfo]

    @property
    def reference(self) -> str:
        """How other alerts refer to this one: "sender,identifier,sent"."""
        return f"{self.sender},{self.identifier},{self.sent_text}"

    def info_in(self, prefix: str) -> AlertInfo | None:
        return next((info for info in self.infos if info.language.lower().startswith(prefix)), None)


def _text(element: Element, tag: str) -> str:
    found = element.find(f"{{{NS}}}{tag}")
    return (found.text or "").strip() if found is not None else ""


def _texts(element: Element, tag: str) -> list[str]:
    return [(found.text or "").strip() for found in element.findall(f"{{{NS}}}{tag}")]


def _time(text: str) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


def _area(element: Element) -> AlertArea:
    return AlertArea(
        description=_text(element, "areaDesc"),
        polygons=_texts(element, "polygon"),
        circles=_texts(element, "circle"),
        geocodes=[
            (_text(code, "valueName"), _text(code, "value"))
            for code in element.findall(f"{{{NS}}}geocode")
        ],
    )


def _info(element: Element) -> AlertInfo:
    return AlertInfo(
        language=_text(element, "language") or "en-US",  # CAP's default
        categories=_texts(element, "category"),
        event=_text(element, "event"),
        urgency=_text(element, "urgency"),
        severity=_text(element, "severity"),
        certainty=_text(element, "certainty"),
        headline=_text(element, "headline"),
        description=_text(element, "description"),
        instruction=_text(element, "instruction"),
        sender_name=_text(element, "senderName"),
        onset=_time(_text(element, "onset")),
        effective=_time(_text(element, "effective")),
        expires=_time(_text(element, "expires")),
        areas=[_area(area) for area in element.findall(f"{{{NS}}}area")],
    )


def read_alert(root: Element) -> Alert:
    """The alert of a document the schema has accepted."""
    sent_text = _text(root, "sent")
    return Alert(
        identifier=_text(root, "identifier"),
        sender=_text(root, "sender"),
        sent=datetime.fromisoformat(sent_text),
        sent_text=sent_text,
        status=_text(root, "status"),
        msg_type=_text(root, "msgType"),
        scope=_text(root, "scope"),
        references=_text(root, "references").split(),
        infos=[_info(info) for info in root.findall(f"{{{NS}}}info")],
    )
