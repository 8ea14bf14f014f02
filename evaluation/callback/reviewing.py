"""The supervisor's review of a "not resolved" callback answer given past the reopen window.

Such an answer (`answering`: the entry's `"review": true`) leaves the case closed and asks
the supervisors of its area to look. A reviewer — someone who may escalate the case (its area's
supervisors and leaders, `Action.ESCALATE` through `cases_for`) — concludes once, with a reason
the reporter reads: reopen the case (filed again, handled as a reopening) or keep it closed.
The workflow records it (`governance.workflow.review_case`: a `reviewed` entry, and `reopened`
when it is); from then on the case leaves the staff queue's "for review" filter.
"""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from governance.access import Action, Person, may
from governance.errors import InvalidTransition, NotPermitted
from governance.models import Case, CaseEvent, EventKind
from governance.workflow import review_case


def awaiting_review(case: Case) -> bool:
    """Whether the case's callback asked for a review that nobody has concluded yet."""
    events = CaseEvent.objects.filter(case=case)
    return (
        events.filter(kind=EventKind.CALLBACK, data__review=True).exists()
        and not events.filter(kind=EventKind.REVIEWED).exists()
    )


def may_review(person: Person, case: Case) -> bool:
    return may(person, Action.ESCALATE, case)


def conclude_review(*, case_id: int, actor: Person, reopen: bool, reason: str) -> Case:
    """Record the review's conclusion, once. Raises NotPermitted for someone who may not review
    the case, InvalidTransition when no review waits (never asked, or concluded already),
    InvalidInput without a reason."""
    with transaction.atomic():
        case = Case.objects.select_for_update().filter(pk=case_id).first()
        if case is None or not may(actor, Action.VIEW, case):
            raise NotPermitted(_("There is no such case."))
        if not may_review(actor, case):
            raise NotPermitted(_("You may not review this case."))
        if not awaiting_review(case):
            raise InvalidTransition(_("No review of this case's callback is waiting."))
        return review_case(case_id=case.pk, actor=actor, reopen=reopen, reason=reason)
