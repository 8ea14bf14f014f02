"""OpenAPI post-processing: every operation documents the refusals it can answer."""

from __future__ import annotations

from typing import Any

ERROR_REF = {"$ref": "#/components/schemas/Error"}
REFUSALS = {
    "400": "Bad input: `errors` names each field.",
    "401": "Not signed in.",
    "403": "Not permitted.",
    "404": "No such object, or one the person may not see.",
    "405": "Method not allowed.",
    "406": "Not acceptable.",
    "413": "Request body too large.",
    "415": "Unsupported media type.",
    "429": "Too many requests: slow down.",
}
RETRY_AFTER = {
    "Retry-After": {
        "description": "Seconds until the request may be made again.",
        "schema": {"type": "integer", "minimum": 1},
    }
}


def document_refusals(result: dict[str, Any], generator, request, public) -> dict[str, Any]:
    """Add the shared error body to every operation's responses."""
    for operations in result.get("paths", {}).values():
        for method, operation in operations.items():
            if method not in {"get", "post", "put", "patch", "delete"}:
                continue
            responses = operation.setdefault("responses", {})
            for code, description in REFUSALS.items():
                responses.setdefault(
                    code,
                    {
                        "description": description,
                        "content": {"application/json": {"schema": ERROR_REF}},
                        **({"headers": RETRY_AFTER} if code == "429" else {}),
                    },
                )
    return result
