"""The SensorThings API (v1.1) under /sta/v1.1/: readings in, things and readings out.

- `POST Datastreams(<id>)/Observations` — one observation; `POST CreateObservations` — many
  (the DataArray form). A device writes with its own token (`Authorization: Bearer <token>`)
  and only to its own things' datastreams. Answers: 201 with the stored entity (or, for
  CreateObservations, one entry per row: its selfLink, "duplicate", or "error: <why>"); 400
  with the reason when nothing was accepted; 401 without a valid token.
- `GET Things`, `Things(<id>)`, `Things(<id>)/Datastreams`, `Datastreams`, `Datastreams(<id>)`,
  `Datastreams(<id>)/Observations`, `Observations` — for staff (a session or an API token,
  `Authorization: Token <key>`), scoped by area (`sensing.access`); `$top` (≤ 1000), `$skip`,
  `$filter` on phenomenonTime (ge, le, gt, lt, eq joined by `and`), `$orderby`, `$count`.

Plain Django views, not DRF: ingest is the hot path (thousands of readings a second) and pays
for no serializer. Thin: the work is in `sensing.ingest`.
"""

from __future__ import annotations

import json
import re
from datetime import datetime
from typing import Any

from asgiref.sync import sync_to_async
from django.conf import settings
from django.db import close_old_connections
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed, JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from governance.api_tokens import user_of_token
from sensing import directory
from sensing.access import datastreams_for, things_for
from sensing.ingest import RawReading, parse_time, store_readings
from sensing.models import Datastream, Observation, Thing

ROOT = "/sta/v1.1"
MAX_TOP = 1000
DEFAULT_TOP = 100
MAX_BODY_ROWS = 20000


def _error(status: int, message: str) -> JsonResponse:
    return JsonResponse({"code": status, "type": "error", "message": message}, status=status)


def _device(request: HttpRequest) -> int | None:
    header = request.headers.get("Authorization", "")
    scheme, _sep, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        token = request.headers.get("X-Device-Token", "")
    token = token.strip()
    if not token or len(token) > 200:
        return None
    return directory.device_for_token(token)


def _has_token(request: HttpRequest) -> bool:
    scheme, _sep, token = request.headers.get("Authorization", "").partition(" ")
    return bool(
        (scheme.lower() == "bearer" and token.strip()) or request.headers.get("X-Device-Token")
    )


def _reader(request: HttpRequest) -> Any:
    """The staff person reading: the session's, or an API token's (`Token <key>`)."""
    header = request.headers.get("Authorization", "")
    scheme, _sep, key = header.partition(" ")
    if scheme == "Token" and key:
        return user_of_token(key.strip())
    return request.user if request.user.is_authenticated else None


def _json(request: HttpRequest) -> Any:
    try:
        return json.loads(request.body)
    except (ValueError, UnicodeDecodeError):
        raise ValueError(_("The body is not JSON.")) from None


# --- writing ------------------------------------------------------------------------------


def _in_pool(function, *args: Any, **kwargs: Any) -> Any:
    """Run `function` in a thread of the pool with a database connection of its own, given
    back after: ingest requests of one server process store concurrently (a sync view would
    wait its turn on the process's one thread for sync code while another waits on the
    database)."""
    close_old_connections()
    try:
        return function(*args, **kwargs)
    finally:
        close_old_connections()


async def _store(readings: list[RawReading], token_header: HttpRequest) -> Any:
    def work() -> Any:
        device_id = _device(token_header)
        if device_id is None:
            return None
        return store_readings(readings, device_id=device_id)

    # Tests keep it on the test's own thread: its transaction is the only one that sees the
    # rows the test made (SENSING_INGEST_CONCURRENT = False in tests/settings.py).
    concurrent = getattr(settings, "SENSING_INGEST_CONCURRENT", True)
    if not concurrent:
        return await sync_to_async(work)()
    return await sync_to_async(_in_pool, thread_sensitive=False)(work)


@csrf_exempt
async def datastream_observations(request: HttpRequest, pk: str) -> HttpResponse:
    if request.method == "GET":
        return await sync_to_async(_observations_list)(request, datastream_id=int(pk))
    if request.method != "POST":
        return HttpResponseNotAllowed(["GET", "POST"])
    if not _has_token(request):
        return _error(401, _("A device token is required (Authorization: Bearer <token>)."))
    try:
        body = _json(request)
    except ValueError as error:
        return _error(400, str(error))
    if not isinstance(body, dict):
        return _error(400, _("Expected one Observation as a JSON object."))
    raw = RawReading(pk, body.get("result"), body.get("phenomenonTime"), body.get("resultTime"))
    outcome = await _store([raw], request)
    if outcome is None:
        return _error(401, _("A device token is required (Authorization: Bearer <token>)."))
    item = outcome.items[0]
    if isinstance(item, int):
        entity = {
            "@iot.id": item,
            "@iot.selfLink": f"{ROOT}/Observations({item})",
            "phenomenonTime": body.get("phenomenonTime"),
            "result": body.get("result"),
        }
        response = JsonResponse(entity, status=201)
        response["Location"] = entity["@iot.selfLink"]
        return response
    if item == "duplicate":
        return JsonResponse(
            {"message": _("Already stored (same datastream and phenomenonTime); ignored.")},
            status=200,
        )
    return _error(400, outcome.refused[0]["error"])


@csrf_exempt
async def create_observations(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    if not _has_token(request):
        return _error(401, _("A device token is required (Authorization: Bearer <token>)."))
    try:
        body = _json(request)
        readings = _data_arrays(body)
    except ValueError as error:
        return _error(400, str(error))
    outcome = await _store(readings, request)
    if outcome is None:
        return _error(401, _("A device token is required (Authorization: Bearer <token>)."))
    answer = [
        f"{ROOT}/Observations({item})"
        if isinstance(item, int)
        else item
        if item == "duplicate"
        else f"error: {item}"
        for item in outcome.items
    ]
    status = 201 if outcome.accepted or outcome.duplicates or not readings else 400
    return JsonResponse(answer, status=status, safe=False)


def _data_arrays(body: Any) -> list[RawReading]:
    if not isinstance(body, list):
        raise ValueError(_("Expected a JSON array of {Datastream, components, dataArray}."))
    readings: list[RawReading] = []
    for group in body:
        if not isinstance(group, dict):
            raise ValueError(_("Each entry must be an object."))
        stream = group.get("Datastream")
        stream_id = stream.get("@iot.id") if isinstance(stream, dict) else None
        components = group.get("components")
        rows = group.get("dataArray")
        if not isinstance(components, list) or not isinstance(rows, list):
            raise ValueError(_("Each entry needs components and dataArray."))
        if "result" not in components:
            raise ValueError(_("components must name result."))
        at = {name: components.index(name) for name in set(components) if isinstance(name, str)}
        width = len(components)
        r, t, rt = at["result"], at.get("phenomenonTime"), at.get("resultTime")
        for row in rows:
            if not isinstance(row, list) or len(row) != width:
                raise ValueError(_("Each dataArray row must have one value per component."))
            readings.append(
                RawReading(
                    stream_id,
                    row[r],
                    row[t] if t is not None else None,
                    row[rt] if rt is not None else None,
                )
            )
        if len(readings) > MAX_BODY_ROWS:
            raise ValueError(_("At most %(n)s readings per request.") % {"n": MAX_BODY_ROWS})
    return readings


# --- reading ------------------------------------------------------------------------------

_CLAUSE = re.compile(r"^\s*phenomenonTime\s+(ge|le|gt|lt|eq)\s+(\S+)\s*$", re.IGNORECASE)
_LOOKUP = {"ge": "gte", "le": "lte", "gt": "gt", "lt": "lt", "eq": "exact"}


def time_filter(expression: str) -> Q:
    """`$filter` on phenomenonTime as a condition; ValueError naming what is not understood."""
    condition = Q()
    for clause in re.split(r"\s+and\s+", expression.strip(), flags=re.IGNORECASE):
        match = _CLAUSE.match(clause)
        if not match:
            raise ValueError(
                _("$filter: only phenomenonTime ge|le|gt|lt|eq <time>, joined by and.")
            )
        operator, value = match.group(1).lower(), match.group(2).strip("'")
        try:
            moment = parse_time(value)
        except ValueError:
            raise ValueError(
                _("$filter: %(v)s is not a time with a zone.") % {"v": value}
            ) from None
        condition &= Q(**{f"phenomenon_time__{_LOOKUP[operator]}": moment})
    return condition


def _paging(request: HttpRequest) -> tuple[int, int]:
    try:
        top = int(request.GET.get("$top", DEFAULT_TOP))
        skip = int(request.GET.get("$skip", 0))
    except ValueError:
        raise ValueError(_("$top and $skip must be whole numbers.")) from None
    if top < 0 or skip < 0:
        raise ValueError(_("$top and $skip must not be negative."))
    return min(top, MAX_TOP), skip


def _order(request: HttpRequest, allowed: dict[str, str], default: list[str]) -> list[str]:
    value = request.GET.get("$orderby", "").strip()
    if not value:
        return default
    order = []
    for part in value.split(","):
        words = part.split()
        if not words or words[0] not in allowed or len(words) > 2:
            raise ValueError(
                _("$orderby: one of %(names)s, then asc or desc.") % {"names": ", ".join(allowed)}
            )
        direction = words[1].lower() if len(words) == 2 else "asc"
        if direction not in ("asc", "desc"):
            raise ValueError(_("$orderby: asc or desc."))
        order.append(("-" if direction == "desc" else "") + allowed[words[0]])
    return [*order, "pk"] if "pk" not in order else order


def _page(request: HttpRequest, queryset: QuerySet, shape, order: list[str]) -> JsonResponse:
    top, skip = _paging(request)
    rows = list(queryset.order_by(*order)[skip : skip + top + 1])
    answer: dict[str, Any] = {}
    if request.GET.get("$count", "").lower() == "true":
        answer["@iot.count"] = queryset.count()
    answer["value"] = [shape(row) for row in rows[:top]]
    if len(rows) > top:
        query = request.GET.copy()
        query["$skip"] = str(skip + top)
        answer["@iot.nextLink"] = f"{request.path}?{query.urlencode()}"
    return JsonResponse(answer)


def _when(moment: datetime | None) -> str | None:
    return moment.isoformat().replace("+00:00", "Z") if moment else None


def thing_entity(thing: Thing) -> dict[str, Any]:
    return {
        "@iot.id": thing.pk,
        "@iot.selfLink": f"{ROOT}/Things({thing.pk})",
        "name": thing.name,
        "description": thing.description,
        "properties": {
            **(thing.properties or {}),
            "area": thing.area.code if thing.area_id else None,
            "component": thing.component.code if thing.component_id else None,
        },
        "Locations": (
            [
                {
                    "name": thing.location.name,
                    "encodingType": "application/geo+json",
                    "location": {
                        "type": "Point",
                        "coordinates": [thing.location.lon, thing.location.lat],
                    },
                }
            ]
            if thing.location_id
            else []
        ),
        "Datastreams@iot.navigationLink": f"{ROOT}/Things({thing.pk})/Datastreams",
    }


def datastream_entity(stream: Datastream) -> dict[str, Any]:
    return {
        "@iot.id": stream.pk,
        "@iot.selfLink": f"{ROOT}/Datastreams({stream.pk})",
        "name": stream.name,
        "description": stream.description,
        "unitOfMeasurement": stream.unit_of_measurement,
        "observationType": stream.observation_type,
        "ObservedProperty": {
            "name": stream.observed_property.name,
            "definition": stream.observed_property.definition,
        },
        "Sensor": {"name": stream.sensor.name, "encodingType": stream.sensor.encoding_type},
        "Thing@iot.navigationLink": f"{ROOT}/Things({stream.thing_id})",
        "Observations@iot.navigationLink": f"{ROOT}/Datastreams({stream.pk})/Observations",
        "properties": {"lastValue": stream.last_value, "lastTime": _when(stream.last_time)},
    }


def observation_entity(row: Observation) -> dict[str, Any]:
    return {
        "@iot.id": row.pk,
        "@iot.selfLink": f"{ROOT}/Observations({row.pk})",
        "phenomenonTime": _when(row.phenomenon_time),
        "resultTime": _when(row.result_time),
        "result": row.result_json if row.result_json is not None else row.result,
        "Datastream@iot.navigationLink": f"{ROOT}/Datastreams({row.datastream_id})",
    }


def _reading(view):
    """Staff only; a refused or malformed query is a clear 400/401."""

    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        person = _reader(request)
        if person is None:
            return _error(401, _("Sign in or send an API token (Authorization: Token <key>)."))
        try:
            return view(request, person, *args, **kwargs)
        except ValueError as error:
            return _error(400, str(error))

    wrapped.__name__ = view.__name__
    wrapped.__doc__ = view.__doc__
    return require_http_methods(["GET"])(wrapped)


THING_ORDER = {"id": "pk", "name": "name"}
STREAM_ORDER = {"id": "pk", "name": "name"}
OBS_ORDER = {"phenomenonTime": "phenomenon_time", "id": "pk", "resultTime": "result_time"}


@_reading
def things(request: HttpRequest, person: Any) -> HttpResponse:
    queryset = things_for(person).select_related("location", "area", "component")
    return _page(request, queryset, thing_entity, _order(request, THING_ORDER, ["pk"]))


@_reading
def thing(request: HttpRequest, person: Any, pk: int) -> HttpResponse:
    found = things_for(person).select_related("location", "area", "component").filter(pk=pk)
    row = found.first()
    if row is None:
        return _error(404, _("No such thing (or not yours to see)."))
    return JsonResponse(thing_entity(row))


def _streams(person: Any) -> QuerySet[Datastream]:
    return datastreams_for(person).select_related("observed_property", "sensor")


@_reading
def datastreams(request: HttpRequest, person: Any, thing_pk: int | None = None) -> HttpResponse:
    queryset = _streams(person)
    if thing_pk is not None:
        queryset = queryset.filter(thing_id=thing_pk)
    return _page(request, queryset, datastream_entity, _order(request, STREAM_ORDER, ["pk"]))


@_reading
def datastream(request: HttpRequest, person: Any, pk: int) -> HttpResponse:
    row = _streams(person).filter(pk=pk).first()
    if row is None:
        return _error(404, _("No such datastream (or not yours to see)."))
    return JsonResponse(datastream_entity(row))


def _observations_list(request: HttpRequest, *, datastream_id: int | None = None) -> HttpResponse:
    person = _reader(request)
    if person is None:
        return _error(401, _("Sign in or send an API token (Authorization: Token <key>)."))
    try:
        visible = datastreams_for(person)
        if datastream_id is not None:
            if not visible.filter(pk=datastream_id).exists():
                return _error(404, _("No such datastream (or not yours to see)."))
            queryset = Observation.objects.filter(datastream_id=datastream_id)
        else:
            queryset = Observation.objects.filter(datastream__in=visible.values("pk"))
        expression = request.GET.get("$filter")
        if expression:
            queryset = queryset.filter(time_filter(expression))
        order = _order(request, OBS_ORDER, ["-phenomenon_time", "pk"])
        return _page(request, queryset, observation_entity, order)
    except ValueError as error:
        return _error(400, str(error))


@require_http_methods(["GET"])
def observations(request: HttpRequest) -> HttpResponse:
    return _observations_list(request)
