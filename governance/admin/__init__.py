"""The administrator's site: one module per concept, each registering its models."""

from governance.admin import (  # noqa: F401
    areas,
    calendar,
    cases,
    categories,
    outbox,
    people,
    response_templates,
    sharing,
    statistics,
)
