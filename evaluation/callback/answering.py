"""Recording the answer to a callback: one timeline entry of kind `callback` per case.

Three ways in, one transaction each, the case row locked (`_answer`):
- the reporter's one-time link (`callback_answer_by_link`: channel "link");
- the reporter's own request page, signed in or holding the request (`…_by_reporter`: "app");
- hotline staff recording what the reporter said on the phone (`…_by_phone`: "phone",
  answered by "staff"), permitted where they may file on a caller's behalf (`Action.REPORT`,
  through `cases_for` as staff).

The entry: `data = {"resolved", "satisfied", "channel", "answered_by"}` (and `outcome`, what
the answer caused), the comment in `note`, audience `reporter`: the comment is the reporter's
own (or what staff recorded in their name) and they may read it back on their timeline; it is
never public (the public form shows at most that a callback was answered, never its words).

"Not resolved" on a closed case within the reopen window reopens it through the workflow
(`reopen_case`, acting as the reporter, the answer as its reason). Past the window the case
stays closed and goes to review: the entry carries `"review": true` (the staff queue's
"callback: not resolved, for review" filter lists those cases) and the supervisors of the
case's area (its leaders, where it has no supervisor) are notified.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractUser
from django.db import IntegrityError, transaction
from django.utils import translation
from django.utils.translation import gettext as _

from evaluation.callback import links
from evaluation.models import CallbackLink, CallbackRequest
from governance import clock, events
from governance.access import Action, CaseHolder, Person, cases_for, may
from governance.errors import InvalidInput, InvalidTransition, NotPermitted
from governance.models import Audience, Case, CaseEvent, EventKind, Role, Status

# The workflow's rule of the reopen window (a private helper of `governance.workflow`: the
# answer decides between reopening and review by the very rule `reopen_case` applies).
from governance.workflow import reopen_case, within_reopen_window
from notifications import centre as notifications
from notifications.models import NotificationKind

COMMENT_LIMIT = 1000


class Channel:
    LINK = "link"
    PHONE = "phone"
    APP = "app"


class AlreadyAnswered(InvalidTransition):
    """The case's callback has its answer: a second one is never recorded."""


class LinkEnded(InvalidTransition):
    """The link is unknown or has expired."""


class Outcome:
    NONE = ""  # resolved, or the case is open again already
    REOPENED = "reopened"
    REVIEW = "review"


@dataclass(frozen=True)
class Answer:
    event: CaseEvent
    outcome: str


def clean_comment(comment: str | None) -> str:
    text = (comment or "").strip()
    if len(text) > COMMENT_LIMIT:
        raise InvalidInput({"comment": [_("At most %(n)d characters.") % {"n": COMMENT_LIMIT}]})
    return text


def _yes_no(value: object, field: str) -> bool:
    if not isinstance(value, bool):
        raise InvalidInput({field: [_("Answer yes or no.")]})
    return value


def reporter_actor(case: Case) -> Person:
    """Who acts as the case's reporter on the reporter's word: their account, or, for a
    request filed without one, the holder of that request (what its one-time link makes)."""
    if case.reporter_id is not None:
        return case.reporter
    return CaseHolder([case.tracking_id])


def answerable(case: Case) -> bool:
    """A callback is answered once the case has closed (it may be open again since)."""
    return case.status == Status.CLOSED or CallbackRequest.objects.filter(case=case).exists()


def is_answered(case: Case) -> bool:
    return CaseEvent.objects.filter(case=case, kind=EventKind.CALLBACK).exists()


# --- the three ways in ------------------------------------------------------------------------


def callback_answer_by_link(
    *, token: str, resolved: object, satisfied: object, comment: str = ""
) -> Answer:
    """Answer through a one-time link: ends the link; refused once the callback has its
    answer (`AlreadyAnswered`) or the link has expired (`LinkEnded`)."""
    found = links.state(token)
    if found.link is None or (found.expired and not found.answered):
        raise LinkEnded(_("This link has expired."))
    link: CallbackLink = found.link

    def spend() -> None:
        if not links.spend(link):
            raise AlreadyAnswered(_("This callback has already been answered."))

    case = link.request.case
    return _answer(
        case.pk,
        recorded_by=None,
        reporter=None,
        channel=Channel.LINK,
        answered_by="reporter",
        resolved=resolved,
        satisfied=satisfied,
        comment=comment,
        check=spend,
    )


def callback_answer_by_reporter(
    *, case_id: int, actor: Person, resolved: object, satisfied: object, comment: str = ""
) -> Answer:
    """Answer from the reporter's own request page (signed in, or the browser holding it)."""
    if not cases_for(actor, Action.OWN).filter(pk=case_id).exists():
        raise NotPermitted(_("There is no such case."))
    return _answer(
        case_id,
        recorded_by=actor,
        reporter=actor,
        channel=Channel.APP,
        answered_by="reporter",
        resolved=resolved,
        satisfied=satisfied,
        comment=comment,
    )


def callback_answer_by_phone(
    *, case_id: int, actor: Person, resolved: object, satisfied: object, comment: str = ""
) -> Answer:
    """Hotline staff record the answer the reporter gave on the phone."""
    if not may_record_by_phone(actor, case_id):
        if not cases_for(actor, Action.VIEW).filter(pk=case_id).exists():
            raise NotPermitted(_("There is no such case."))
        raise NotPermitted(_("You may not record a callback answer for this case."))
    return _answer(
        case_id,
        recorded_by=actor,
        reporter=None,
        channel=Channel.PHONE,
        answered_by="staff",
        resolved=resolved,
        satisfied=satisfied,
        comment=comment,
    )


def may_record_by_phone(actor: Person, case_id: int) -> bool:
    """Staff who may file on a caller's behalf where the case lies record their callback."""
    return cases_for(actor, Action.REPORT, as_staff=True).filter(pk=case_id).exists()


# --- the one place an answer is written -------------------------------------------------------


def _answer(
    case_id: int,
    *,
    recorded_by: Person | None,
    reporter: Person | None,
    channel: str,
    answered_by: str,
    resolved: object,
    satisfied: object,
    comment: str,
    check: Callable[[], None] | None = None,
) -> Answer:
    resolved = _yes_no(resolved, "resolved")
    satisfied = _yes_no(satisfied, "satisfied")
    comment = clean_comment(comment)
    with transaction.atomic():
        case = Case.objects.select_for_update().filter(pk=case_id).first()
        if case is None:
            raise NotPermitted(_("There is no such case."))
        if is_answered(case):
            raise AlreadyAnswered(_("This callback has already been answered."))
        if not answerable(case):
            raise InvalidTransition(_("A case has a satisfaction callback once it is closed."))
        if check is not None:
            check()
        outcome = Outcome.NONE
        if not resolved and case.status == Status.CLOSED:
            outcome = Outcome.REOPENED if within_reopen_window(case) else Outcome.REVIEW
        data: dict[str, Any] = {
            "resolved": resolved,
            "satisfied": satisfied,
            "channel": channel,
            "answered_by": answered_by,
        }
        if outcome:
            data["outcome"] = outcome
        if outcome == Outcome.REVIEW:
            data["review"] = True
        actor = recorded_by if recorded_by is not None and recorded_by.is_authenticated else None
        try:
            with transaction.atomic():  # the database's own guard: one answer per case
                event = CaseEvent.objects.create(
                    case=case,
                    kind=EventKind.CALLBACK,
                    actor=actor,
                    from_status=case.status,
                    to_status=case.status,
                    note=comment,
                    audience=Audience.REPORTER,
                    data=data,
                    created_at=clock.now(),
                )
        except IntegrityError:
            raise AlreadyAnswered(_("This callback has already been answered.")) from None
        CallbackRequest.objects.filter(case=case, answered_at__isnull=True).update(
            answered_at=event.created_at
        )
        events.case_changed_on_commit(case, event)
        if outcome == Outcome.REOPENED:
            reopen_case(
                case_id=case.pk,
                actor=reporter if reporter is not None else reporter_actor(case),
                reason=_reopen_reason(comment),
            )
        elif outcome == Outcome.REVIEW and not events.is_muted():  # not for replayed history
            for person in reviewers_of(case):
                notifications.notify(
                    user=person, kind=NotificationKind.CALLBACK_REVIEW, case=case, body=comment
                )
    return Answer(event=event, outcome=outcome)


def _reopen_reason(comment: str) -> str:
    """The reopening's reason, in the platform's language, the reporter's words after it."""
    with translation.override(settings.LANGUAGE_CODE):
        said = _("Satisfaction callback: the reporter says it is not resolved.")
    return f"{said}\n{comment}" if comment else said


def reviewers_of(case: Case) -> list[AbstractUser]:
    """Who reviews a "not resolved" answer past the reopen window: the supervisors on the
    case's area or above it; where there are none, its leaders. Only those who may see it."""
    codes = [code for code in case.area_path.strip("/").split("/") if code]
    paths = ["/" + "/".join(codes[: i + 1]) + "/" for i in range(len(codes))]
    for role in (Role.SUPERVISOR, Role.LEADER):
        people = list(
            get_user_model()
            .objects.filter(
                is_active=True, assignments__area__path__in=paths, assignments__role=role
            )
            .distinct()
            .order_by("pk")
        )
        people = [person for person in people if may(person, Action.VIEW, case)]
        if people:
            return people
    return []
