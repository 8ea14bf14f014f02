"""Every route of the site, generated: the URL resolver walked recursively, and the sockets.

Each route becomes one or more probes: a GET of the route with its path parameters filled
from the planted scenario (tracking ids, pks, category codes, the reset token...), once per
planted case when a parameter names a case (or a case's contact, note or file), and once per
format where the route has one. A route whose parameters the generator cannot fill, or whose
view it cannot classify, is reported by name (`generate().problems`) and fails the suite: a
new endpoint is covered the day it is added, or the suite says what to teach it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from itertools import product
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.exceptions import Resolver404

from tests.permissions.planted import NEARBY_OFFSET, VARIANTS, Planted

# Path-parameter syntax: <conv:name> (path()) or (?P<name>...) (re_path()).
_PARAM = re.compile(r"<(?:\w+:)?(\w+)>|\(\?P<(\w+)>(?:[^()]|\([^()]*\))*\)")

# What a view is, from the module it lives in (the first prefix that matches).
KINDS = [
    ("governance.web.files", "file"),
    ("django.views.static", "file"),
    ("governance.exports", "export"),
    ("governance.open311", "open311"),
    ("governance.api", "api"),
    ("drf_spectacular", "api"),
    ("django.contrib.admin", "admin"),
    ("governance.admin", "admin"),
    ("django.contrib.contenttypes", "admin"),
    ("citizens.views", "page"),
    ("governance.web", "page"),
    ("django.contrib.auth.views", "page"),
    ("django.views.i18n", "page"),
    ("governance.realtime", "socket"),
    ("evaluation.api", "api"),
    ("evaluation.web", "page"),
    ("evaluation.callback", "page"),
    ("notifications.api", "api"),
    ("emergency.web", "page"),
    ("emergency.cap", "page"),
    ("emergency.api", "api"),
    ("gridwork.web", "page"),
    ("gridwork.api", "api"),
    ("sensing.web", "page"),
    ("sensing.api", "api"),
    ("sensing.sta", "api"),
]

# The resources' pages that name a resource: filled with the planted shelter.
RESOURCE_PAGES = {
    "emergency:resource-add",
    "emergency:resource-edit",
    "emergency:shelter-occupancy",
}

# Routes never requested, with the reason (keep this short).
EXCLUDED = {
    "admin/logout/": "signs the administrator out; shows nothing",
    "accounts/logout/": "signs the person out; shows nothing",
    "admin/password_change/": "the administrator's own password form",
    "admin/password_change/done/": "the administrator's own password form",
    "admin/citizens/user/<id>/password/": "sets an account's password; shows no case data",
}

# Query strings a route needs to show anything (by URL name); `{...}` filled like parameters.
QUERIES = {
    "citizens:submit_nearby": "?category={category}&lon={lon}&lat={lat}",
    "open311:requests": "?extensions=true",
    "open311:request": "?extensions=true",
}
# Routes whose query names a planted case: probed once per planted case.
CASE_QUERIES = {"citizens:submit_nearby"}

# Parameters that name a planted case (or something of one): the route is probed per case.
CASE_PARAMS = {"tracking_id", "id", "request_id", "path", "case_id"}
# Registry record ids (`gridwork`): probed here as not found; the registry's own persona suite
# (tests/gridwork/test_permission_suite.py) plants records and covers every registry route.
SENSING_PARAMS = {"area_id", "datastream_id", "pk", "thing_pk"}
REGISTRY_PARAMS = {"building_id", "resident_id", "visit_id", "pk", "patrol_id", "photo_id", "size"}
# Admin models whose rows belong to a planted case.
CASE_MODELS = {
    "governance.case",
    "governance.casecontact",
    "governance.caseevent",
    "governance.attachment",
}
# URL names whose `pk` is a planted case's file.
FILE_ROUTES = {"governance:attachment", "governance:attachment_size"}


@dataclass(frozen=True)
class Route:
    pattern: str  # the joined pattern, as written in the URLconf
    name: str | None  # namespace:name
    kind: str | None  # page, api, open311, export, file, admin, socket; None: unclassified
    params: tuple[str, ...]
    model: str | None  # admin views: app_label.model_name
    callback: Any = field(compare=False, repr=False)

    @property
    def shown(self) -> str:
        """The pattern readable: parameters as <name>, regex anchors and escapes dropped."""
        text = _PARAM.sub(lambda m: "<" + (m.group(1) or m.group(2)) + ">", self.pattern)
        return text.replace("^", "").replace("$", "").replace("\\", "")

    @property
    def case_linked(self) -> bool:
        if self.name in FILE_ROUTES or self.name in CASE_QUERIES:
            return True
        if self.kind == "admin" and self.model is not None:
            return self.model in CASE_MODELS and "object_id" in self.params
        return bool(CASE_PARAMS & set(self.params))


@dataclass(frozen=True)
class Probe:
    route: Route
    variant: str  # "private", "ordinary", or "-" (no case in the path)
    fmt: str | None

    @property
    def key(self) -> str:
        labels = [self.variant] + ([self.fmt] if self.fmt else [])
        return f"{self.route.shown} [{', '.join(labels)}]"


@dataclass
class Generated:
    probes: list[Probe]
    sockets: list[Probe]
    routes: list[Route]
    problems: list[str]  # routes the generator cannot classify or fill


def _kind(callback: Any) -> str | None:
    if getattr(callback, "model_admin", None) is not None:
        return "admin"
    module = getattr(callback, "__module__", "") or ""
    view_class = getattr(callback, "view_class", None) or getattr(callback, "cls", None)
    if view_class is not None:
        module = view_class.__module__
    for prefix, kind in KINDS:
        if module.startswith(prefix):
            return kind
    return None


def walk(patterns: list, prefix: str = "", namespace: str = "") -> Iterator[Route]:
    for entry in patterns:
        if isinstance(entry, URLResolver):
            inner = namespace
            if entry.namespace:
                inner = f"{namespace}:{entry.namespace}" if namespace else entry.namespace
            yield from walk(entry.url_patterns, prefix + str(entry.pattern), inner)
        elif isinstance(entry, URLPattern):
            pattern = prefix + str(entry.pattern)
            params = tuple(m.group(1) or m.group(2) for m in _PARAM.finditer(pattern))
            model_admin = getattr(entry.callback, "model_admin", None)
            model = model_admin.model._meta.label_lower if model_admin is not None else None
            name = f"{namespace}:{entry.name}" if namespace and entry.name else entry.name
            yield Route(pattern, name, _kind(entry.callback), params, model, entry.callback)


def generate() -> Generated:
    from governance.realtime.routing import websocket_urlpatterns

    routes = [r for r in walk(get_resolver().url_patterns) if r.shown not in EXCLUDED]
    sockets = list(walk(websocket_urlpatterns))
    problems = []
    for route in [*routes, *sockets]:
        if route.kind is None:
            problems.append(f"{route.shown}: the generator cannot classify its view")
        unknown = [p for p in route.params if not _knows(route, p)]
        if unknown:
            problems.append(f"{route.shown}: the generator cannot fill {', '.join(unknown)}")
    return Generated(_probes(routes), _probes(sockets), routes + sockets, problems)


def _probes(routes: list[Route]) -> list[Probe]:
    probes = []
    for route in routes:
        variants = VARIANTS if route.case_linked else ("-",)
        formats = ("json", "xml") if "fmt" in route.params else (None,)
        probes += [Probe(route, v, f) for v, f in product(variants, formats)]
    return probes


# --- filling the parameters ----------------------------------------------------------------


def _first_pk(model_label: str) -> str:
    from django.apps import apps

    model = apps.get_model(model_label)
    pk = model._default_manager.order_by("pk").values_list("pk", flat=True).first()
    return str(pk if pk is not None else 0)


def _admin_object(route: Route, planted: Planted, variant: str, people) -> str:
    by_model: dict[str, Callable[[], object]] = {
        "governance.case": lambda: planted.cases[variant].pk,
        "governance.casecontact": lambda: planted.contacts[variant].pk,
        "governance.caseevent": lambda: planted.internal_events[variant].pk,
        "governance.attachment": lambda: planted.internal_files[variant].pk,
        "governance.accesslog": lambda: planted.access_log.pk,
        "notifications.notification": lambda: planted.notification.pk,
        "citizens.user": lambda: people.citizen.pk,
    }
    if route.model in by_model:
        return str(by_model[route.model]())
    return _first_pk(route.model)


def _filler(route: Route, name: str) -> Callable[..., str] | None:
    """How to fill parameter `name` of `route`: f(planted, variant, fmt, people, city)."""
    if route.name in FILE_ROUTES and name == "pk":
        return lambda pl, v, f, pe, c: str(pl.internal_files[v].pk)
    if route.name == "governance:attachment_size" and name == "size":
        return lambda pl, v, f, pe, c: "thumb"
    if route.name == "governance:saved_filter_delete" and name == "pk":
        return lambda pl, v, f, pe, c: "1"  # POST only: a GET is refused whoever asks
    if route.name and route.name.startswith("api:notification") and name == "pk":
        return lambda pl, v, f, pe, c: str(pl.notification.pk)
    if route.name == "citizens:password_reset_confirm":
        return {
            "uidb64": lambda pl, v, f, pe, c: pl.reset_uid,
            "token": lambda pl, v, f, pe, c: pl.reset_token,
        }.get(name)
    if route.name == "admin:view_on_site":
        return {
            "content_type_id": lambda pl, v, f, pe, c: str(
                ContentType.objects.get(app_label="governance", model="case").pk
            ),
            "object_id": lambda pl, v, f, pe, c: str(pl.cases["private"].pk),
        }.get(name)
    if route.name and route.name.startswith("gridwork") and name in REGISTRY_PARAMS:
        # The planted scenario has no registry records (tests/gridwork/test_permission_suite
        # plants its own): any id is simply not found, whoever asks.
        return lambda pl, v, f, pe, c: "1"
    if (route.name or "").startswith("sensing") and name in SENSING_PARAMS:
        # Sensing holds no personal data; its own persona suite (tests/sensing/
        # test_permission_suite.py) plants things and covers every sensing route.
        return lambda pl, v, f, pe, c: "1"
    api_name = (route.name or "").partition("emergency-api:")
    planted_row = api_name[2].split("-")[0] if api_name[1] and not api_name[0] else ""
    if planted_row in ("incident", "plan", "task", "shelter", "supply", "team") and name == "pk":
        # emergency.api's detail routes: the planted incident, its plan, task and resources.
        return lambda pl, v, f, pe, c: str(getattr(pl, planted_row).pk)
    if (route.name or "") in RESOURCE_PAGES and name in ("kind", "pk"):
        # the resources' pages: the planted shelter (its occupancy form takes a shelter)
        return {
            "kind": lambda pl, v, f, pe, c: "shelters",
            "pk": lambda pl, v, f, pe, c: str(pl.shelter.pk),
        }[name]
    if route.name == "emergency:cap-alert" and name == "identifier":
        return lambda pl, v, f, pe, c: pl.public_notice.identifier
    if name == "notice_id":  # the notices' pages and endpoints: the planted public notice
        return lambda pl, v, f, pe, c: str(pl.public_notice.pk)
    if route.name == "emergency:answer" and name == "token":  # officer A's answer link
        return lambda pl, v, f, pe, c: pl.public_notice.recipients.get().token
    if route.kind == "admin" and name == "object_id":
        return lambda pl, v, f, pe, c: _admin_object(route, pl, v, pe)
    return {
        "tracking_id": lambda pl, v, f, pe, c: pl.cases[v].tracking_id,
        "id": lambda pl, v, f, pe, c: pl.cases[v].tracking_id,
        "request_id": lambda pl, v, f, pe, c: pl.cases[v].tracking_id,
        "name": lambda pl, v, f, pe, c: "note",  # a case action (POST only)
        "code": lambda pl, v, f, pe, c: pl.cases["private"].category.code,
        "fmt": lambda pl, v, f, pe, c: f,
        "token": lambda pl, v, f, pe, c: "no-such-token",  # Open311 token lookup
        "notification_id": lambda pl, v, f, pe, c: str(pl.notification.pk),
        "app_label": lambda pl, v, f, pe, c: "governance",
        "url": lambda pl, v, f, pe, c: "no-such-page/",  # the admin's catch-all
        "path": lambda pl, v, f, pe, c: pl.internal_files[v].file.name,  # /media/ (DEBUG)
        "area_code": lambda pl, v, f, pe, c: c.district.code,  # evaluation figures
        "department_code": lambda pl, v, f, pe, c: c.department.code,
        "username": lambda pl, v, f, pe, c: pe.officer_a.username,
        "officer_id": lambda pl, v, f, pe, c: str(pe.officer_a.pk),  # officer A's duty sheet
        "incident_id": lambda pl, v, f, pe, c: str(pl.incident.pk),  # emergency pages
        "task_id": lambda pl, v, f, pe, c: str(pl.task.pk),
        "case_id": lambda pl, v, f, pe, c: str(pl.cases[v].pk),  # a linked case (POST only)
        "alarm_id": lambda pl, v, f, pe, c: "1",  # acknowledging an alarm (POST only)
    }.get(name)


def _knows(route: Route, name: str) -> bool:
    return _filler(route, name) is not None


def fill(probe: Probe, planted: Planted, people, city) -> str:
    """The probe's path and query, filled from the planted scenario; checked to resolve to the
    route's own view."""
    route = probe.route
    values = {
        p: _filler(route, p)(planted, probe.variant, probe.fmt, people, city) for p in route.params
    }

    def value(match: re.Match) -> str:
        return values[match.group(1) or match.group(2)]

    path = "/" + _PARAM.sub(value, route.pattern).replace("^", "").replace("$", "")
    path = path.replace("\\", "")
    if route.kind != "socket":
        from django.urls import resolve

        try:
            match = resolve(path)
        except Resolver404 as error:
            raise AssertionError(
                f"{route.shown}: filled as {path}, which resolves nowhere"
            ) from error
        assert match.func is route.callback, f"{route.shown}: filled as {path}, another view's"
    query = QUERIES.get(route.name or "", "")
    if query:
        variant = probe.variant if probe.variant in VARIANTS else "ordinary"
        case = planted.cases[variant]
        query = query.format(
            category=case.category.pk, lon=case.lon, lat=round(case.lat + NEARBY_OFFSET, 6)
        )
    return path + query
