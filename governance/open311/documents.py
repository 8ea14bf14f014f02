"""The Open311 documents built from our models: services, definitions, requests."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest

from governance import public
from governance.models import Case, Category
from governance.models.case import OPEN_STATUSES, EventKind
from governance.open311.renderers import w3c


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
            "datatype_description": question.display_description or None,
            "order": order,
            "description": question.display_label,
        }
        if question.is_list:
            attribute["values"] = [
                {"key": key, "name": name} for key, name in question.value_names.items()
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
    """The documents of `cases` (already scoped to the public record), in their order: each
    case in its public form (`governance.public.public_form`), built from rows.

    Three queries whatever the number: the cases, their public texts, their public files.
    """
    rows = list(cases.values(*REQUEST_COLUMNS))
    ids = [row["pk"] for row in rows]
    texts = public.texts_of(ids, steps=extensions)
    files = public.files_of(ids)
    titles: dict[int, str] = {}  # category id → its name in the current language
    kinds = {str(value): str(label) for value, label in EventKind.choices}
    documents = []
    for row in rows:
        title = titles.get(row["category_id"])
        if title is None:
            title = titles[row["category_id"]] = _title(row)
        address_only = row["grid_id"] is None and bool(row["address"]) and row["channel"] == "api"
        form = public.public_form(
            public.CaseFacts(
                private_location=row["category__private_location"],
                lon=None if address_only else row["lon"],
                lat=None if address_only else row["lat"],
                address=row["address"],
                description=row["description"],
            ),
            texts=texts.get(row["pk"], ()),
            files=files.get(row["pk"], ()),
        )
        media = form.media_urls(request)
        document: dict[str, Any] = {
            "service_request_id": row["tracking_id"],
            "status": "open" if row["status"] in OPEN_STATUSES else "closed",
            "status_notes": form.summary,
            "service_name": title,
            "service_code": row["category__code"],
            "description": form.description,
            "agency_responsible": row["assignee_department__name"],
            "service_notice": None,
            "requested_datetime": w3c(row["created_at"]),
            "updated_datetime": w3c(row["updated_at"]),
            "expected_datetime": w3c(row["due_at"]),
            "address": form.address,
            "address_id": None,
            "zipcode": None,
            "lat": form.lat,
            "long": form.lon,
            "media_url": media[0] if media else None,
        }
        if extensions:
            document["extended_attributes"] = {
                "detailed_status": row["status"],
                "grid": row["grid__code"],
                "channel": row["channel"],
                "title": title,
                "media_urls": media,
                "notes": [
                    {
                        "datetime": w3c(step.at),
                        "type": step.kind,
                        "summary": kinds.get(step.kind, step.kind),
                        "description": step.text,
                    }
                    for step in form.steps
                ],
            }
        documents.append(document)
    return documents


def _title(row: dict[str, Any]) -> str:
    """The category's name in the current language, by the model's own rule."""
    return Category(name=row["category__name"], name_en=row["category__name_en"]).display_name
