"""Parsing Open311 parameters: query filters of GET requests and the form of POST requests.

An empty parameter behaves as if it were absent. Each problem becomes one error description.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.http import QueryDict
from django.utils.translation import gettext as _

from governance import clock
from governance.inputs import BadInput, parse_moment, whole_number

MAX_SPAN = timedelta(days=90)
DEFAULT_PAGE_SIZE = 1000
MAX_PAGE_SIZE = 1000
MAX_DESCRIPTION = 4000
HTML = re.compile(r"<\s*[a-zA-Z!/?]")
ATTRIBUTE = re.compile(r"^attribute\[([A-Za-z0-9_\-]{1,40})\](\[\])?$")


class Open311Error(Exception):
    def __init__(self, status: int, descriptions: list[str]) -> None:
        super().__init__("; ".join(descriptions))
        self.status = status
        self.descriptions = descriptions


def _params(query: QueryDict) -> dict[str, str]:
    """Non-empty parameters; a NUL character anywhere is refused (it is never valid text)."""
    if any("\x00" in k or any("\x00" in v for v in query.getlist(k)) for k in query):
        raise Open311Error(400, [_("Parameters may not contain NUL characters.")])
    return {k: v.strip() for k, v in query.items() if v.strip() != ""}


def _when(value: str, name: str, problems: list[str]) -> datetime | None:
    try:
        return parse_moment(value)
    except BadInput as error:
        problems.append(
            _("%(name)s: not a W3C date-time such as 2010-01-01T00:00:00Z.") % {"name": name}
            + " "
            + error.message
        )
        return None


def _positive(value: str | None, name: str, default: int, maximum: int, problems: list[str]):
    if value is None:
        return default
    try:
        return min(whole_number(value, minimum=1, maximum=10**12), maximum)
    except BadInput:
        problems.append(_("%(name)s: a positive whole number.") % {"name": name})
        return default


@dataclass
class RequestQuery:
    ids: list[str] = field(default_factory=list)
    codes: list[str] = field(default_factory=list)
    start: datetime | None = None
    end: datetime | None = None
    statuses: list[str] = field(default_factory=list)
    page: int = 1
    page_size: int = DEFAULT_PAGE_SIZE
    extensions: bool = False


def parse_request_query(query: QueryDict) -> RequestQuery:
    params = _params(query)
    problems: list[str] = []
    parsed = RequestQuery()
    parsed.extensions = params.get("extensions", "").lower() == "true"
    parsed.page = _positive(params.get("page"), "page", 1, 100_000, problems)
    parsed.page_size = _positive(
        params.get("page_size"), "page_size", DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, problems
    )
    if "service_request_id" in params:
        parsed.ids = [v.strip() for v in params["service_request_id"].split(",") if v.strip()][
            :MAX_PAGE_SIZE
        ]
        if problems:
            raise Open311Error(400, problems)
        return parsed  # overrides every other filter
    if "service_code" in params:
        parsed.codes = [v.strip() for v in params["service_code"].split(",") if v.strip()]
    if "status" in params:
        parsed.statuses = [v.strip().lower() for v in params["status"].split(",") if v.strip()]
        if set(parsed.statuses) - {"open", "closed"}:
            problems.append(_("status: open, closed or both, separated by a comma."))
    start = _when(params["start_date"], "start_date", problems) if "start_date" in params else None
    end = _when(params["end_date"], "end_date", problems) if "end_date" in params else None
    if start and end and end < start:
        problems.append(_("end_date: before start_date."))
    elif start and end and end - start > MAX_SPAN:
        problems.append(_("start_date, end_date: at most 90 days apart."))
    if problems:
        raise Open311Error(400, problems)
    if start is None and end is None:
        end = clock.now()
    if start is None:
        start = end - MAX_SPAN
    if end is None:
        end = start + MAX_SPAN
    parsed.start, parsed.end = start, end
    return parsed


@dataclass
class NewRequest:
    service_code: str
    lat: str | None
    long: str | None
    address: str
    description: str
    answers: dict[str, Any]
    contact: dict[str, str]


def parse_new_request(data: QueryDict) -> NewRequest:
    """The POST form; a missing service code is 400 (unknown codes are the view's 404)."""
    params = _params(data)
    problems: list[str] = []
    code = params.get("service_code")
    if not code:
        raise Open311Error(400, [_("service_code: required.")])
    lat, long = params.get("lat"), params.get("long")
    address = params.get("address_string") or params.get("address_id") or ""
    if (lat is None) != (long is None):
        problems.append(_("lat, long: give both, or an address_string."))
    if lat is None and long is None and not address:
        problems.append(_("lat, long: a location is required (lat and long, or address_string)."))
    if len(address) > 300:
        problems.append(_("address_string: at most 300 characters."))
    description = params.get("description", "")
    if len(description) > MAX_DESCRIPTION:
        problems.append(_("description: at most 4000 characters."))
    if HTML.search(description):
        problems.append(_("description: HTML is not accepted."))
    if not description:
        description = _("(no description)")
    answers: dict[str, Any] = {}
    for key in data:
        match = ATTRIBUTE.match(key)
        if match is None:
            if key.startswith("attribute["):
                problems.append(_("%(key)s: not a valid attribute name.") % {"key": key[:60]})
            continue
        values = [v for v in data.getlist(key) if v.strip() != ""]
        if not values:
            continue
        answers[match.group(1)] = values if match.group(2) else values[-1]
    name = " ".join(p for p in (params.get("first_name"), params.get("last_name")) if p)
    contact = {
        "name": name[:80],
        "phone": params.get("phone", ""),
        "email": params.get("email", ""),
    }
    if problems:
        raise Open311Error(400, problems)
    return NewRequest(code, lat, long, address, description, answers, contact)
