"""The Open311 documents built from our models: services, definitions, requests."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from governance.models import Case, Category
from governance.open311.renderers import w3c
from governance.privacy import listed_point


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


def _public_events(case: Case) -> list:
    return list(case.public_events)  # prefetched, oldest first


def service_request(
    case: Case, request: HttpRequest, *, extensions: bool = False
) -> dict[str, Any]:
    """One request as the public sees it: no personal data; private locations rounded."""
    events = _public_events(case)
    notes = [e.note for e in events if e.note]
    address_only = case.grid_id is None and bool(case.address) and case.channel == "api"
    lon, lat = (None, None) if address_only else listed_point(case)
    files = list(case.public_attachments)
    document: dict[str, Any] = {
        "service_request_id": case.tracking_id,
        "status": case.open311_status,
        "status_notes": notes[-1] if notes else None,
        "service_name": case.category.display_name,
        "service_code": case.category.code,
        # A private-location category is often about someone's home: its text stays inside.
        "description": None if case.category.private_location else case.description,
        "agency_responsible": case.assignee_department.name
        if case.assignee_department_id
        else None,
        "service_notice": None,
        "requested_datetime": w3c(case.created_at),
        "updated_datetime": w3c(case.updated_at),
        "expected_datetime": w3c(case.due_at),
        "address": case.address or None,
        "address_id": None,
        "zipcode": None,
        "lat": lat,
        "long": lon,
        "media_url": request.build_absolute_uri(files[0].file.url) if files else None,
    }
    if extensions:
        document["extended_attributes"] = {
            "detailed_status": case.status,
            "grid": case.grid.code if case.grid_id else None,
            "channel": case.channel,
            "title": case.category.display_name,
            "media_urls": [request.build_absolute_uri(f.file.url) for f in files],
            "notes": [
                {
                    "datetime": w3c(e.created_at),
                    "type": e.kind,
                    "summary": e.get_kind_display(),
                    "description": e.note or None,
                }
                for e in events
            ],
        }
    return document
