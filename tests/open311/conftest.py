"""Validation of Open311 documents: JSON against the official schemas, XML by its roots."""

from __future__ import annotations

import json
from pathlib import Path
from xml.etree import ElementTree as ET

import jsonschema
import pytest
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT7

SCHEMA_DIR = Path(__file__).resolve().parent.parent / "open311_schema"


def _registry() -> Registry:
    resources = []
    for path in SCHEMA_DIR.glob("*.json"):
        contents = json.loads(path.read_text())
        resources.append(
            (path.name, Resource.from_contents(contents, default_specification=DRAFT7))
        )
    return Registry().with_resources(resources)


REGISTRY = _registry()


def validate(document: object, schema_name: str) -> None:
    """Raises if `document` does not satisfy the official schema `schema_name`."""
    schema = json.loads((SCHEMA_DIR / schema_name).read_text())
    validator = jsonschema.Draft7Validator(
        schema, registry=REGISTRY, format_checker=jsonschema.FormatChecker()
    )
    validator.validate(document)


def xml_root(response, root: str) -> ET.Element:
    assert response["Content-Type"] == "text/xml; charset=utf-8"
    body = response.content
    assert body.startswith(b'<?xml version="1.0" encoding="utf-8"?>')
    element = ET.fromstring(body)
    assert element.tag == root
    return element


def json_body(response) -> object:
    assert response["Content-Type"] == "application/json; charset=utf-8"
    return json.loads(response.content)


ERRORS_SCHEMA = {
    "type": "array",
    "minItems": 1,
    "items": {
        "type": "object",
        "required": ["code", "description"],
        "properties": {"code": {"type": "integer"}, "description": {"type": "string"}},
        "additionalProperties": False,
    },
}


def json_errors(response, status: int) -> list[dict]:
    assert response.status_code == status, response.content
    body = json_body(response)
    jsonschema.validate(body, ERRORS_SCHEMA)
    assert all(e["code"] == status for e in body)
    return body


def xml_errors(response, status: int) -> list[ET.Element]:
    assert response.status_code == status, response.content
    root = xml_root(response, "errors")
    errors = root.findall("error")
    assert errors and all(e.findtext("code") == str(status) for e in errors)
    assert all(e.findtext("description") for e in errors)
    return errors


@pytest.fixture
def client(db):
    from django.test import Client

    return Client()
