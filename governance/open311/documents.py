"""The Open311 documents built from our models: services, definitions, requests."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest

from governance.file_access import attachment_url, public_attachments
from governance.models import Attachment, Case, CaseEvent, Category
from governance.models.case import OPEN_STATUSES, EventKind
from governance.open311.renderers import w3c
from governance.privacy import listed_coordinates


def service(category: Category, has_questions: bool) -> dict[str, Any]:
    return {
        "service_code": category.code,
        "service_name": category.display_name,
        "description": category.description or None,
        "metadata": has_questions,
        "type": "realtime",
        "keywords": category.keywords or None,
        "group": category.group or category.get_family_display(),
    }


def service_definition(category: Category) -> dict[str, Any]:
    attributes = []
    for order, question in enumerate(category.questions.all(), start=1):
        attribute: dict[str, Any] = {
            "variable": True,
            "code": question.code,
            "datatype": question.datatype,
            "required": question.required,
            "datatype_description": question.description or None,
            "order": order,
            "description": question.display_label,
        }
        if question.is_list:
            attribute["values"] = [
                {"key": str(v["key"]), "name": str(v.get("name") or v["key"])}
                for v in question.values
            ]
        attributes.append(attribute)
    return {"service_code": category.code, "attributes": attributes}


# The columns one request's document is built from: read as rows, not model instances, since a
# page holds up to 1,000 requests and building their models (with category, grid, department
# and every event) cost most of the response's time.
REQUEST_COLUMNS = (
    "pk",
    "tracking_id",
    "status",
    "description",
    "lon",
    "lat",
    "address",
    "channel",
    "grid_id",
    "grid__code",
    "category_id",
    "category__code",
    "category__name",
    "category__name_en",
    "category__private_location",
    "assignee_department__name",
    "created_at",
    "updated_at",
    "due_at",
)


def service_requests(
    cases: QuerySet[Case], request: HttpRequest, *, extensions: bool = False
) -> list[dict[str, Any]]:
    """The documents of `cases` (already scoped to the public record), in their order.

    Three queries whatever the number: the cases, their public events, their public files.
    """
    rows = list(cases.values(*REQUEST_COLUMNS))
    ids = [row["pk"] for row in rows]
    events = _public_events(ids, extensions=extensions)
    files = _public_files(ids, request)
    titles: dict[int, str] = {}  # category id → its name in the current language
    kinds = {str(value): str(label) for value, label in EventKind.choices}
    documents = []
    for row in rows:
        case_events = events.get(row["pk"], ())
        case_files = files.get(row["pk"], ())
        title = titles.get(row["category_id"])
        if title is None:
            title = titles[row["category_id"]] = _title(row)
        notes = [e[2] for e in case_events if e[2]]
        address_only = row["grid_id"] is None and bool(row["address"]) and row["channel"] == "api"
        lon, lat = (
            (None, None)
            if address_only
            else listed_coordinates(
                row["lon"], row["lat"], private_location=row["category__private_location"]
            )
        )
        document: dict[str, Any] = {
            "service_request_id": row["tracking_id"],
            "status": "open" if row["status"] in OPEN_STATUSES else "closed",
            "status_notes": notes[-1] if notes else None,
            "service_name": title,
            "service_code": row["category__code"],
            # A private-location category is often about someone's home: its text stays inside.
            "description": None if row["category__private_location"] else row["description"],
            "agency_responsible": row["assignee_department__name"],
            "service_notice": None,
            "requested_datetime": w3c(row["created_at"]),
            "updated_datetime": w3c(row["updated_at"]),
            "expected_datetime": w3c(row["due_at"]),
            "address": row["address"] or None,
            "address_id": None,
            "zipcode": None,
            "lat": lat,
            "long": lon,
            "media_url": case_files[0] if case_files else None,
        }
        if extensions:
            document["extended_attributes"] = {
                "detailed_status": row["status"],
                "grid": row["grid__code"],
                "channel": row["channel"],
                "title": title,
                "media_urls": list(case_files),
                "notes": [
                    {
                        "datetime": w3c(created_at),
                        "type": kind,
                        "summary": kinds.get(kind, kind),
                        "description": note or None,
                    }
                    for created_at, kind, note in case_events
                ],
            }
        documents.append(document)
    return documents


def _title(row: dict[str, Any]) -> str:
    """The category's name in the current language, by the model's own rule."""
    return Category(name=row["category__name"], name_en=row["category__name_en"]).display_name


def _public_events(
    ids: list[int], *, extensions: bool
) -> dict[int, list[tuple[datetime | None, str, str]]]:
    """Case id → its public events, oldest first, as (created_at, kind, note).

    Without extensions only the notes are shown (the last one is the status note), so only
    events with a note are read, and not their times.
    """
    events = CaseEvent.objects.filter(case_id__in=ids, public=True).order_by("created_at", "pk")
    by_case: dict[int, list[tuple[datetime | None, str, str]]] = {}
    if extensions:
        for case_id, *event in events.values_list("case_id", "created_at", "kind", "note"):
            by_case.setdefault(case_id, []).append(tuple(event))
    else:
        for case_id, note in events.exclude(note="").values_list("case_id", "note"):
            by_case.setdefault(case_id, []).append((None, "", note))
    return by_case


def _public_files(ids: list[int], request: HttpRequest) -> dict[int, list[str]]:
    """Case id → the absolute URLs of the files anyone may open (`file_access`)."""
    rows = (
        Attachment.objects.filter(case_id__in=ids)
        .select_related("case__category", "event")
        .order_by("created_at", "pk")
    )
    by_case: dict[int, list[str]] = {}
    for attachment in public_attachments(rows):
        by_case.setdefault(attachment.case_id, []).append(attachment_url(attachment, request))
    return by_case
