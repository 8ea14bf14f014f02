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
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.urls import reverse

from governance.access import Action, cases_for
from governance.audience import Audience, file_audience, text_audience
from governance.models import Attachment, Case, CaseEvent, EventKind, Status
from governance.privacy import PUBLIC_DECIMALS

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
