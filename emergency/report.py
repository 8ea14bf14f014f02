"""The after-action report of an incident: its timeline, the plans' steps on time or late, the
cases linked, and who acknowledged which notice when — one plain structure, shown as a
printable page and written as xlsx (the same rows)."""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import datetime

from django.utils import timezone
from django.utils.translation import gettext as _

from emergency.models import (
    Answer,
    Incident,
    IncidentEventKind,
    IncidentStatus,
    Recipient,
    Task,
)
from governance import clock


def person_name(user) -> str:
    if user is None:
        return _("the system")
    return user.get_full_name() or user.username


@dataclass
class TimelineRow:
    at: datetime
    kind: str
    actor: str
    text: str


@dataclass
class StepRow:
    plan: str
    order: int
    title: str
    owners: str
    due_at: datetime
    feedback: str
    feedback_at: datetime | None
    feedback_by: str
    on_time: bool | None  # None: no feedback yet and not late

    @property
    def outcome(self) -> str:
        if self.on_time is None:
            return _("open")
        return _("on time") if self.on_time else _("late")


@dataclass
class CaseRow:
    tracking_id: str
    category: str
    status: str
    linked_at: datetime
    linked_by: str


@dataclass
class AckRow:
    notice: str
    person: str
    area: str
    sent_at: datetime
    times_sent: int
    answer: str
    answered_at: datetime | None


@dataclass
class Report:
    incident: Incident
    as_of: datetime
    timeline: list[TimelineRow] = field(default_factory=list)
    steps: list[StepRow] = field(default_factory=list)
    cases: list[CaseRow] = field(default_factory=list)
    acknowledgements: list[AckRow] = field(default_factory=list)

    @property
    def title(self) -> str:
        return _("After-action report: %(title)s") % {"title": self.incident}

    @property
    def steps_on_time(self) -> int:
        return sum(1 for step in self.steps if step.on_time)

    @property
    def steps_late(self) -> int:
        return sum(1 for step in self.steps if step.on_time is False)

    @property
    def answered(self) -> int:
        return sum(1 for ack in self.acknowledgements if ack.answered_at)


def answer_label(answer: str) -> str:
    """A default answer in the reader's language; a sender's own answer as written."""
    return str(Answer(answer).label) if answer in Answer.values else answer


def _describe(event) -> str:
    """An entry's words: its note, or what its details say."""
    data = event.data or {}
    parts = [event.note] if event.note else []
    if event.kind in (IncidentEventKind.STATUS, IncidentEventKind.CLOSED) and "to" in data:
        parts.append(f"{IncidentStatus(data['from']).label} → {IncidentStatus(data['to']).label}")
    elif event.kind == IncidentEventKind.LEVEL and "to" in data:
        parts.append(f"{data['from']} → {data['to']}")
    elif event.kind in (IncidentEventKind.DECLARED, IncidentEventKind.AREAS):
        parts.append(", ".join(data.get("areas") or data.get("to") or []))
    elif event.kind in (IncidentEventKind.CASE_LINKED, IncidentEventKind.CASE_UNLINKED):
        parts.append(str(data.get("case", "")))
    elif event.kind == IncidentEventKind.PLAN_ACTIVATED:
        parts.append(str(data.get("name", "")))
    elif event.kind in (IncidentEventKind.STEP_FEEDBACK, IncidentEventKind.STEP_LATE):
        parts.append(str(data.get("step", "")))
    if data.get("together"):
        parts.append(
            _("together: %(action)s, %(n)d cases")
            % {
                "action": data["together"],
                "n": len(data.get("done") or []),
            }
        )
    return " · ".join(part for part in parts if part)


def after_action_report(incident: Incident) -> Report:
    report = Report(incident=incident, as_of=clock.now())
    for event in incident.events.select_related("actor").order_by("at", "pk"):
        report.timeline.append(
            TimelineRow(
                at=event.at,
                kind=str(IncidentEventKind(event.kind).label),
                actor=person_name(event.actor),
                text=_describe(event),
            )
        )
    tasks = (
        Task.objects.filter(activation__incident=incident)
        .select_related("activation__plan", "owner_department", "feedback_by")
        .prefetch_related("owner_people")
        .order_by("activation__at", "order", "pk")
    )
    for task in tasks:
        owners = [person_name(p) for p in task.owner_people.all()]
        if task.owner_department_id:
            owners.insert(0, task.owner_department.display_name)
        report.steps.append(
            StepRow(
                plan=task.activation.plan.display_name,
                order=task.order,
                title=task.display_title,
                owners=", ".join(owners),
                due_at=task.due_at,
                feedback=task.feedback,
                feedback_at=task.feedback_at,
                feedback_by=person_name(task.feedback_by) if task.feedback_by_id else "",
                on_time=task.on_time,
            )
        )
    for link in incident.links.select_related("case__category", "linked_by").order_by(
        "linked_at", "pk"
    ):
        case = link.case
        report.cases.append(
            CaseRow(
                tracking_id=case.tracking_id,
                category=case.category.display_name,
                status=str(case.get_status_display()),
                linked_at=link.linked_at,
                linked_by=person_name(link.linked_by),
            )
        )
    recipients = (
        Recipient.objects.filter(notice__incident=incident)
        .select_related("notice", "user", "area")
        .order_by("notice__sent_at", "notice_id", "pk")
    )
    for recipient in recipients:
        report.acknowledgements.append(
            AckRow(
                notice=recipient.notice.title,
                person=person_name(recipient.user),
                area=recipient.area.display_name if recipient.area_id else "",
                sent_at=recipient.notice.sent_at,
                times_sent=recipient.sent_count,
                answer=answer_label(recipient.answer),
                answered_at=recipient.answered_at,
            )
        )
    return report


def _when(moment: datetime | None) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else ""


def _safe(text: str) -> str:
    """A spreadsheet cell that cannot run as a formula (CSV/xlsx injection)."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def as_xlsx(report: Report) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    summary = book.active
    summary.title = _("Summary")[:31]
    incident = report.incident
    summary.append([_safe(report.title)])
    summary["A1"].font = Font(bold=True, size=14)
    rows = [
        (_("Kind"), str(incident.get_kind_display())),
        (_("Level"), str(incident.get_level_display())),
        (_("Status"), str(incident.get_status_display())),
        (_("Exercise"), _("yes") if incident.exercise else _("no")),
        (_("Occurred at"), _when(incident.occurred_at)),
        (_("Closed at"), _when(incident.closed_at)),
        (_("Steps on time"), report.steps_on_time),
        (_("Steps late"), report.steps_late),
        (_("Cases linked"), len(report.cases)),
        (_("Answered"), f"{report.answered}/{len(report.acknowledgements)}"),
        (_("As of"), _when(report.as_of)),
    ]
    for label, value in rows:
        summary.append([label, value])
    summary.column_dimensions["A"].width = 20
    summary.column_dimensions["B"].width = 40

    def sheet(title: str, headings: list[str], lines: list[list[object]]) -> None:
        page = book.create_sheet(title[:31])
        page.append(headings)
        for cell in page[1]:
            cell.font = Font(bold=True)
        for line in lines:
            page.append([_safe(v) if isinstance(v, str) else v for v in line])
        page.freeze_panes = "A2"

    sheet(
        _("Timeline"),
        [_("At"), _("What"), _("By"), _("Details")],
        [[_when(r.at), r.kind, r.actor, r.text] for r in report.timeline],
    )
    sheet(
        _("Steps"),
        [
            _("Plan"),
            _("Step"),
            _("Owners"),
            _("Due"),
            _("Feedback"),
            _("Feedback at"),
            _("By"),
            _("On time"),
        ],
        [
            [
                r.plan,
                f"{r.order}. {r.title}",
                r.owners,
                _when(r.due_at),
                r.feedback,
                _when(r.feedback_at),
                r.feedback_by,
                r.outcome,
            ]
            for r in report.steps
        ],
    )
    sheet(
        _("Cases"),
        [_("Case"), _("Category"), _("Status"), _("Linked at"), _("Linked by")],
        [
            [r.tracking_id, r.category, r.status, _when(r.linked_at), r.linked_by]
            for r in report.cases
        ],
    )
    sheet(
        _("Acknowledgements"),
        [_("Notice"), _("Person"), _("Area"), _("Sent"), _("Times sent"), _("Answer"), _("At")],
        [
            [
                r.notice,
                r.person,
                r.area,
                _when(r.sent_at),
                r.times_sent,
                r.answer,
                _when(r.answered_at),
            ]
            for r in report.acknowledgements
        ],
    )
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
