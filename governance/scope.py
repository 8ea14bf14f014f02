"""A person's access scope, read in one query and remembered for the rest of the request.

The scope is everything `governance.access` needs to know about the person (not the case) to
build its filter: the area paths per permission codename, the departments they belong to, the
sharing grants in force for those departments, and whether they hold any assignment.

It is read with one UNION ALL query instead of one query per source, and, inside a request (see
`ScopeMiddleware`), kept for the rest of that request: the queue page asks for it from the
filter form, the case filter, the dispatch check and the navigation. It is never kept across
requests, because permissions change; and any change to its sources during a request (an
assignment, a permission, a grant, a department membership) forgets it at once.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field

from django.db.models import BooleanField, CharField, F, IntegerField, Q, Value
from django.db.models.functions import Cast
from django.http import HttpRequest, HttpResponse

from governance import clock

# Rows of the scope query: (kind, codename, path, replacement path, number, flag, area name).
PERMISSION, DEPARTMENT, GRANT, ASSIGNMENT = "permission", "department", "grant", "assignment"


@dataclass(frozen=True)
class Grant:
    """A sharing grant in force: cases of `categories` under `path`."""

    path: str
    categories: tuple[int, ...]
    with_personal_data: bool


@dataclass(frozen=True)
class Scope:
    paths: dict[str, tuple[str, ...]] = field(default_factory=dict)
    departments: tuple[int, ...] = ()
    grants: tuple[Grant, ...] = ()
    assigned: bool = False
    area_names: dict[str, str] = field(default_factory=dict)  # path → name, where they hold any

    def area_paths(self, codename: str) -> list[str]:
        return list(self.paths.get(codename, ()))


EMPTY = Scope()

_remembered: ContextVar[dict[int, Scope] | None] = ContextVar("governance_scopes", default=None)


def _columns(
    queryset, *, kind: str, code=None, path=None, path2=None, number=None, flag=None, name=None
):
    """The same seven columns, in the same order, from every branch of the union."""
    text = CharField()
    return (
        queryset.order_by()
        .annotate(
            s_kind=Value(kind, output_field=text),
            s_code=code if code is not None else Value("", output_field=text),
            s_path=path if path is not None else Value("", output_field=text),
            s_path2=path2 if path2 is not None else Value("", output_field=text),
            s_number=number if number is not None else Value(0, output_field=IntegerField()),
            s_flag=flag if flag is not None else Value(False, output_field=BooleanField()),
            s_name=name if name is not None else Value("", output_field=text),
        )
        .values_list("s_kind", "s_code", "s_path", "s_path2", "s_number", "s_flag", "s_name")
    )


def read_scope(user) -> Scope:
    """The person's scope from the database, in one query."""
    from governance.models import (
        AreaGroupObjectPermission,
        AreaUserObjectPermission,
        Assignment,
        Department,
        SharingGrant,
    )

    if not user.is_authenticated:
        return EMPTY
    # A permission counts on an active area, and on a retired area that was redrawn (replaced by
    # an active one): there it covers the cases filed in the old drawing and those in its
    # replacement, so a redrawn grid keeps its officers.
    current = Q(content_object__retired_at__isnull=True) | Q(
        content_object__replaced_by__isnull=False,
        content_object__replaced_by__retired_at__isnull=True,
    )
    permission = {
        "kind": PERMISSION,
        "code": F("permission__codename"),
        "path": F("content_object__path"),
        "path2": F("content_object__replaced_by__path"),
        "name": F("content_object__name"),
    }
    branches = [
        _columns(AreaUserObjectPermission.objects.filter(current, user=user), **permission),
        _columns(AreaGroupObjectPermission.objects.filter(current, group__user=user), **permission),
        _columns(Department.objects.filter(group__user=user), kind=DEPARTMENT, number=F("pk")),
        _columns(
            SharingGrant.objects.current(clock.now()).filter(
                department__group__user=user,
                area__retired_at__isnull=True,
                categories__isnull=False,
            ),
            kind=GRANT,
            code=Cast("pk", CharField()),
            path=F("area__path"),
            number=F("categories__id"),
            flag=F("with_personal_data"),
        ),
        _columns(Assignment.objects.filter(user=user), kind=ASSIGNMENT),
    ]
    rows = branches[0].union(*branches[1:], all=True)

    paths: dict[str, set[str]] = defaultdict(set)
    departments: set[int] = set()
    grants: dict[str, tuple[str, bool, set[int]]] = {}
    assigned = False
    names: dict[str, str] = {}
    for kind, code, path, path2, number, flag, name in rows:
        if kind == PERMISSION:
            paths[code].update(p for p in (path, path2) if p)
            names[path] = name
        elif kind == DEPARTMENT:
            departments.add(number)
        elif kind == GRANT:
            grants.setdefault(str(code), (path, bool(flag), set()))[2].add(number)
        elif kind == ASSIGNMENT:
            assigned = True
    return Scope(
        paths={code: tuple(sorted(found)) for code, found in paths.items()},
        departments=tuple(sorted(departments)),
        grants=tuple(
            Grant(path, tuple(sorted(categories)), personal)
            for _, (path, personal, categories) in sorted(grants.items())
        ),
        assigned=assigned,
        area_names=dict(sorted(names.items())),
    )


def scope_of(user) -> Scope:
    """The person's scope: remembered for the request when inside one, else read afresh."""
    if not user.is_authenticated:
        return EMPTY
    remembered = _remembered.get()
    if remembered is None:
        return read_scope(user)
    if user.pk not in remembered:
        remembered[user.pk] = read_scope(user)
    return remembered[user.pk]


def forget_scopes() -> None:
    """Drop the scopes remembered in this request (their sources just changed)."""
    remembered = _remembered.get()
    if remembered is not None:
        remembered.clear()


@contextmanager
def remembering_scopes() -> Iterator[None]:
    token = _remembered.set({})
    try:
        yield
    finally:
        _remembered.reset(token)


class ScopeMiddleware:
    """Remember each person's scope for the length of one request, and no longer."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        with remembering_scopes():
            return self.get_response(request)
