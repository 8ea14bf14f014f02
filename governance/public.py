"""The public form of a case: the one place that decides what anybody may see of it.

Open311, the public pages, the live public feed and the open-data exports all show a case
through `public_form`. It is a function over small typed records (`CaseFacts`, `TextFacts`,
`FileFacts`) that both a model and a row read with `values()` give, so long lists stay fast.

- point: rounded to about 100 m (`privacy.public_point`), for every case;
- address and description: never for a private-location case (often about someone's home);
- steps: what happened and when, without actors and without any text but a public one;
- summary (Open311's `status_notes`): the latest public text — a staff member's deliberate
  public summary, never a reporter's words nor a note (those are `reporter` at most);
- media: the files whose audience is public (`audience.file_audience`).

A private-location case is never public beyond its category, status, dates and rounded point.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from django.contrib.auth.models import AnonymousUser
from django.db.models import F, IntegerField, Q, QuerySet
from django.db.models.functions import Cast
from django.http import HttpRequest
from django.urls import reverse

from governance.access import Action, cases_for
from governance.audience import Audience, file_audience, text_audience
from governance.file_access import ShownFile, attachment_url
from governance.models import Attachment, Case, CaseEvent, EventKind, Status
from governance.models.case import OPEN_STATUSES
from governance.paths import at_or_beneath
from governance.privacy import PUBLIC_DECIMALS
from governance.story import next_step, status_group, status_meaning, who_handles

RECENT_LIMIT = 200


# --- the records the public form is decided from ---------------------------------------------


@dataclass(frozen=True)
class CaseFacts:
    """The fields of a case the public form is decided from (a model or a `values()` row)."""

    private_location: bool
    lon: float | None  # None: no point is known (a request filed by address only)
    lat: float | None
    address: str = ""
    description: str = ""

    @classmethod
    def of(cls, case: Case, *, located: bool = True) -> CaseFacts:
        return cls(
            private_location=case.category.private_location,
            lon=case.lon if located else None,
            lat=case.lat if located else None,
            address=case.address,
            description=case.description,
        )


@dataclass(frozen=True)
class TextFacts:
    """One timeline entry: its time, kind, own audience and text."""

    created_at: datetime | None
    kind: str
    audience: str
    note: str


@dataclass(frozen=True)
class FileFacts:
    """One file: its id and the audience of the entry it is on (None: filed with the case)."""

    pk: int
    event_audience: str | None


@dataclass(frozen=True)
class PublicStep:
    at: datetime | None
    kind: str
    text: str | None  # a public text, or None

    @property
    def label(self) -> str:
        return str(dict(EventKind.choices).get(self.kind, self.kind))


@dataclass(frozen=True)
class PublicForm:
    """What anybody may see of a case's point, address, description, notes and media."""

    lon: float | None
    lat: float | None
    address: str | None
    description: str | None
    steps: tuple[PublicStep, ...] = ()
    media: tuple[int, ...] = field(default=())  # attachment ids

    @property
    def summary(self) -> str | None:
        """The latest public text (Open311 `status_notes`)."""
        texts = [step.text for step in self.steps if step.text]
        return texts[-1] if texts else None

    def media_urls(self, request: HttpRequest) -> list[str]:
        return [media_url(request, pk) for pk in self.media]


def media_url(request: HttpRequest, pk: int) -> str:
    """The absolute URL of a file, served by the one file view (which applies its audience)."""
    return request.build_absolute_uri(reverse("governance:attachment", args=[pk]))


def rounded(lon: float | None, lat: float | None) -> tuple[float | None, float | None]:
    if lon is None or lat is None:
        return None, None
    return round(lon, PUBLIC_DECIMALS), round(lat, PUBLIC_DECIMALS)


def public_form(
    case: CaseFacts, *, texts: Iterable[TextFacts] = (), files: Iterable[FileFacts] = ()
) -> PublicForm:
    """The public form of one case, from its facts, its timeline entries and its files."""
    private = case.private_location
    lon, lat = rounded(case.lon, case.lat)
    steps = []
    for text in texts:
        audience = text_audience(text.audience, private_location=private)
        if audience == Audience.INTERNAL:
            continue
        if audience != Audience.PUBLIC and text.kind == EventKind.NOTE:
            continue  # a note to the reporter: not even its existence is public
        shown = text.note if audience == Audience.PUBLIC and text.note else None
        steps.append(PublicStep(at=text.created_at, kind=text.kind, text=shown))
    media = tuple(
        f.pk
        for f in files
        if file_audience(f.event_audience, private_location=private) == Audience.PUBLIC
    )
    return PublicForm(
        lon=lon,
        lat=lat,
        address=None if private else (case.address or None),
        description=None if private else (case.description or None),
        steps=tuple(steps),
        media=media,
    )


# --- reading many cases' texts and files at once ---------------------------------------------

# Entries that may be public steps: not internal, and not a note to the reporter.
_STEP_ENTRIES = Q(audience=Audience.PUBLIC) | (
    Q(audience=Audience.REPORTER) & ~Q(kind=EventKind.NOTE)
)


def texts_of(case_ids: list[int], *, steps: bool = True) -> dict[int, list[TextFacts]]:
    """Case id → its entries that may be public, oldest first (one query).

    `steps=False`: only the public texts (enough for the summary), the cheaper read.
    """
    entries = CaseEvent.objects.filter(case_id__in=case_ids).order_by("created_at", "pk")
    if steps:
        entries = entries.filter(_STEP_ENTRIES)
    else:
        entries = entries.filter(audience=Audience.PUBLIC).exclude(note="")
    by_case: dict[int, list[TextFacts]] = {}
    columns = ("case_id", "created_at", "kind", "audience", "note")
    for case_id, *values in entries.values_list(*columns):
        by_case.setdefault(case_id, []).append(TextFacts(*values))
    return by_case


def files_of(case_ids: list[int]) -> dict[int, list[FileFacts]]:
    """Case id → its files that may be public, oldest first (one query)."""
    rows = (
        Attachment.objects.filter(case_id__in=case_ids)
        .filter(Q(event__isnull=True) | Q(event__audience=Audience.PUBLIC))
        .order_by("created_at", "pk")
        .values_list("case_id", "pk", "event_id", "event__audience")
    )
    by_case: dict[int, list[FileFacts]] = {}
    for case_id, pk, event_id, audience in rows:
        by_case.setdefault(case_id, []).append(
            FileFacts(pk=pk, event_audience=None if event_id is None else audience)
        )
    return by_case


def public_form_of(case: Case) -> PublicForm:
    """The public form of one case model, its entries and files read here."""
    return public_form(
        CaseFacts.of(case),
        texts=texts_of([case.pk]).get(case.pk, ()),
        files=files_of([case.pk]).get(case.pk, ()),
    )


# --- the public pages ------------------------------------------------------------------------


@dataclass(frozen=True)
class PublicRequest:
    tracking_id: str
    category: str
    category_code: str
    status: str
    status_label: str
    area: str
    submitted: datetime
    department: str
    form: PublicForm
    due: datetime | None = None
    routed: bool = True  # False: outside every grid, in the city's unrouted queue
    officer: bool = False  # dispatched to a person rather than a department

    @property
    def group(self):
        """The status's group on a map (colour, shape, legend label)."""
        return status_group(self.status)

    @property
    def meaning(self) -> str:
        return status_meaning(self.status)

    @property
    def next_step(self) -> str:
        return next_step(self.status)

    @property
    def handler(self) -> str:
        return who_handles(
            status=self.status,
            grid=self.area if self.routed else "",
            department=self.department,
            officer=self.officer,
        )

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def lon(self) -> float | None:
        return self.form.lon

    @property
    def lat(self) -> float | None:
        return self.form.lat

    def as_json(self) -> dict[str, object]:
        return {
            "id": self.tracking_id,
            "category": self.category,
            "status": self.status_label,
            "group": self.group.key,
            "url": reverse("citizens:public_request", args=[self.tracking_id]),
            "lon": self.lon,
            "lat": self.lat,
        }


def _row(case: Case, form: PublicForm) -> PublicRequest:
    return PublicRequest(
        tracking_id=case.tracking_id,
        category=case.category.display_name,
        category_code=case.category.code,
        status=case.status,
        status_label=case.get_status_display(),
        area=case.grid.display_name if case.grid else "",
        submitted=case.created_at,
        department=case.assignee_department.display_name if case.assignee_department else "",
        form=form,
        due=case.due_at,
        routed=case.grid_id is not None,
        officer=case.assignee_id is not None,
    )


def _public_cases() -> QuerySet[Case]:
    """Every case, through the scoped-access path as anyone sees it (anonymised fields only)."""
    return (
        cases_for(AnonymousUser(), Action.PUBLIC)
        .select_related("category", "grid", "assignee_department")
        .defer("grid__boundary")  # never shown with a case; kilobytes to decode per row
    )


def recent_requests(
    *, category_id: int | None = None, status: str | None = None, limit: int = RECENT_LIMIT
) -> list[PublicRequest]:
    """The most recent requests, newest first, optionally of one category and status (their
    public forms without steps or media: a list shows neither)."""
    cases = _public_cases()
    if category_id:
        cases = cases.filter(category_id=category_id)
    if status in Status.values:
        cases = cases.filter(status=status)
    found = list(cases.order_by("-created_at")[:limit])
    summaries = texts_of([case.pk for case in found], steps=False)
    return [
        _row(case, public_form(CaseFacts.of(case), texts=summaries.get(case.pk, ())))
        for case in found
    ]


def public_request(tracking_id: str) -> PublicRequest | None:
    """One request in its public form, with its steps and public media."""
    case = _public_cases().filter(tracking_id=tracking_id).first()
    return _row(case, public_form_of(case)) if case else None


# --- the public list: filtered, near-first, a page at a time ---------------------------------

PAGE_SIZE = 20
# How far around a place "near" reaches, in thousandths of a degree (about 1 km).
NEAR_MARGIN = 10


def _coarse(column: str):
    """A coordinate in whole thousandths of a degree (about 100 m, the public point's
    precision): what "near" orders and filters by, so the order of a private-location case
    tells no more than its public point does."""
    return Cast(F(column) * 10**PUBLIC_DECIMALS, IntegerField())


def public_cases(
    *,
    category_id: int | None = None,
    status: str | None = None,
    area_path: str | None = None,
    near: tuple[float, float, float, float] | None = None,
) -> QuerySet[Case]:
    """The public requests to list, as a queryset a paginator reads a page of.

    `area_path`: only those under this area (the indexed path prefix). `near`: a box (min lon,
    min lat, max lon, max lat) — the requests within about 1 km of it, nearest its centre
    first; otherwise newest first.
    """
    cases = _public_cases()
    if category_id:
        cases = cases.filter(category_id=category_id)
    if status in Status.values:
        cases = cases.filter(status=status)
    if area_path:
        cases = cases.filter(at_or_beneath(area_path))
    if near is None:
        return cases.order_by("-created_at", "-pk")
    scale = 10**PUBLIC_DECIMALS
    x0, y0, x1, y1 = (round(value * scale) for value in near)
    cx, cy = (x0 + x1) // 2, (y0 + y1) // 2
    return (
        cases.annotate(cx=_coarse("lon"), cy=_coarse("lat"))
        .filter(
            cx__gte=x0 - NEAR_MARGIN,
            cx__lte=x1 + NEAR_MARGIN,
            cy__gte=y0 - NEAR_MARGIN,
            cy__lte=y1 + NEAR_MARGIN,
        )
        .annotate(distance=(F("cx") - cx) * (F("cx") - cx) + (F("cy") - cy) * (F("cy") - cy))
        .order_by("distance", "-created_at", "-pk")
    )


def public_rows(cases: Iterable[Case]) -> list[PublicRequest]:
    """A page of cases as public rows: their summaries read in one query (no steps, no media:
    a list shows neither)."""
    found = list(cases)
    summaries = texts_of([case.pk for case in found], steps=False)
    return [
        _row(case, public_form(CaseFacts.of(case), texts=summaries.get(case.pk, ())))
        for case in found
    ]


def public_files(request: HttpRequest, form: PublicForm) -> list[ShownFile]:
    """The public files of a case's public form, as its public page shows them (thumbnails
    of photos; the file view applies the audience again when one is opened)."""
    if not form.media:
        return []
    found = {a.pk: a for a in Attachment.objects.filter(pk__in=form.media)}
    return [
        ShownFile(
            pk=pk,
            url=attachment_url(found[pk], request),
            thumbnail_url=attachment_url(found[pk], request, thumbnail=True)
            if found[pk].thumbnail
            else None,
            is_image=found[pk].is_image,
        )
        for pk in form.media
        if pk in found
    ]
