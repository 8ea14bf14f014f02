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

import json
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from functools import lru_cache

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.db import connection
from django.http import HttpRequest, HttpResponse

from governance import clock

# Rows of the scope query: (person, kind, codename, path, replacement path, number, flag,
# area name).
PERMISSION, DEPARTMENT, GRANT, ASSIGNMENT = "permission", "department", "grant", "assignment"


@dataclass(frozen=True)
class Grant:
    """A sharing grant in force: cases of `categories` under `path`, and registry records of
    `registry_kinds` (`governance.models.RegistryKind`) under the same path."""

    path: str
    categories: tuple[int, ...]
    with_personal_data: bool
    registry_kinds: tuple[str, ...] = ()


@dataclass(frozen=True)
class Scope:
    paths: dict[str, tuple[str, ...]] = field(default_factory=dict)
    departments: tuple[int, ...] = ()
    grants: tuple[Grant, ...] = ()
    assigned: bool = False
    # path → (name, English name), where they hold any
    area_names: dict[str, tuple[str, str]] = field(default_factory=dict)

    def area_paths(self, codename: str) -> list[str]:
        return list(self.paths.get(codename, ()))


EMPTY = Scope()

_remembered: ContextVar[dict[int, Scope] | None] = ContextVar("governance_scopes", default=None)


@lru_cache(maxsize=64)
def _scope_sql(people: int = 1) -> str:
    """The scope query: one UNION ALL over the sources, built once from the models' tables.

    Plain SQL rather than a union of querysets: compiling a five-branch ORM union took longer
    than running it (about 6 ms of Python per call, more than the query itself), and this query
    runs on every request of a signed-in person. Each row starts with the person it belongs to,
    so `read_scopes` reads many people's with the same query. Parameters: the people's ids
    (once per branch), and the current time (grants in force) before the last branch.
    """
    from governance.models import (
        Area,
        AreaGroupObjectPermission,
        AreaUserObjectPermission,
        Assignment,
        Department,
        SharingGrant,
    )

    area = Area._meta.db_table
    permission = Permission._meta.db_table
    user_groups = get_user_model().groups.through._meta.db_table
    grant_categories = SharingGrant.categories.through._meta.db_table
    who = "= %s" if people == 1 else f"IN ({', '.join(['%s'] * people)})"
    # A permission counts on an active area, and on a retired area that was redrawn (replaced
    # by an active one): there it covers the cases filed in the old drawing and those in its
    # replacement, so a redrawn grid keeps its officers.
    current = "(a.retired_at IS NULL OR (a.replaced_by_id IS NOT NULL AND r.retired_at IS NULL))"
    held = f"""
        SELECT {{person}}, '{PERMISSION}', p.codename, a.path, r.path, 0, {{false}},
            a.name, a.name_en
        FROM {{table}} o
        JOIN {permission} p ON p.id = o.permission_id
        JOIN {area} a ON a.id = o.content_object_id
        LEFT JOIN {area} r ON r.id = a.replaced_by_id"""
    false = "1 = 0"
    table = AreaUserObjectPermission._meta.db_table
    group_table = AreaGroupObjectPermission._meta.db_table
    return f"""
        {held.format(person="o.user_id", table=table, false=false)}
        WHERE o.user_id {who} AND {current}
        UNION ALL
        {held.format(person="ug.user_id", table=group_table, false=false)}
        JOIN {user_groups} ug ON ug.group_id = o.group_id
        WHERE ug.user_id {who} AND {current}
        UNION ALL
        SELECT ug.user_id, '{DEPARTMENT}', '', '', '', d.id, {false}, '', ''
        FROM {Department._meta.db_table} d
        JOIN {user_groups} ug ON ug.group_id = d.group_id
        WHERE ug.user_id {who}
        UNION ALL
        SELECT ug.user_id, '{GRANT}', CAST(g.id AS VARCHAR(20)), a.path, '',
            COALESCE(gc.category_id, 0), g.with_personal_data,
            CAST(g.registry_kinds AS VARCHAR(300)), ''
        FROM {SharingGrant._meta.db_table} g
        LEFT JOIN {grant_categories} gc ON gc.sharinggrant_id = g.id
        JOIN {area} a ON a.id = g.area_id
        JOIN {Department._meta.db_table} d ON d.id = g.department_id
        JOIN {user_groups} ug ON ug.group_id = d.group_id
        WHERE ug.user_id {who} AND g.expires_at > %s AND a.retired_at IS NULL
        UNION ALL
        SELECT s.user_id, '{ASSIGNMENT}', '', '', '', 0, {false}, '', ''
        FROM {Assignment._meta.db_table} s
        WHERE s.user_id {who}"""


# People per scope query in `read_scopes`: five copies of their ids stay well under SQLite's
# limit on a statement's parameters.
SCOPES_PER_QUERY = 150


def read_scope(user) -> Scope:
    """The person's scope from the database, in one query."""
    if not user.is_authenticated:
        return EMPTY
    return read_scopes([user.pk])[user.pk]


def read_scopes(user_ids: Iterable[int]) -> dict[int, Scope]:
    """Several people's scopes from the database, in one query (per SCOPES_PER_QUERY people):
    the batch checks (`access.may_each`) ask about hundreds of people at once."""
    ids = sorted(set(user_ids))
    rows: list[tuple] = []
    now = connection.ops.adapt_datetimefield_value(clock.now())
    for start in range(0, len(ids), SCOPES_PER_QUERY):
        chunk = ids[start : start + SCOPES_PER_QUERY]
        with connection.cursor() as cursor:
            cursor.execute(_scope_sql(len(chunk)), [*chunk * 4, now, *chunk])
            rows += cursor.fetchall()
    by_person: dict[int, list[tuple]] = {pk: [] for pk in ids}
    for person, *row in rows:
        by_person[person].append(row)
    return {pk: _scope(found) for pk, found in by_person.items()}


def _scope(rows: list[tuple]) -> Scope:
    paths: dict[str, set[str]] = defaultdict(set)
    departments: set[int] = set()
    grants: dict[str, tuple[str, bool, set[int], tuple[str, ...]]] = {}
    assigned = False
    names: dict[str, tuple[str, str]] = {}
    for kind, code, path, path2, number, flag, name, name_en in rows:
        if kind == PERMISSION:
            paths[code].update(p for p in (path, path2) if p)
            names[path] = (name, name_en)
        elif kind == DEPARTMENT:
            departments.add(number)
        elif kind == GRANT:
            categories = grants.setdefault(
                str(code), (path, bool(flag), set(), _registry_kinds(name))
            )[2]
            if number:
                categories.add(number)
        elif kind == ASSIGNMENT:
            assigned = True
    return Scope(
        paths={code: tuple(sorted(found)) for code, found in paths.items()},
        departments=tuple(sorted(departments)),
        grants=tuple(
            Grant(path, tuple(sorted(categories)), personal, kinds)
            for _, (path, personal, categories, kinds) in sorted(grants.items())
        ),
        assigned=assigned,
        area_names=dict(sorted(names.items())),
    )


def _registry_kinds(text: str | None) -> tuple[str, ...]:
    """A grant's `registry_kinds` as the scope query reads it (its JSON as text)."""
    try:
        kinds = json.loads(text or "[]")
    except ValueError:
        return ()
    return tuple(sorted(str(kind) for kind in kinds)) if isinstance(kinds, list) else ()


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
