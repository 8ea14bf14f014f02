"""The demo city's callback answers (回访): some of its closed cases answered, as their
reporters would have, a few hours to days after closing — resolved or not, satisfied or not,
through the link, the request page or the hotline — so the satisfaction and resolution rates
and the supervisors' review have something to show. Deterministic (`random.Random(seed)`)."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from django.utils import timezone

from evaluation.callback import answering
from evaluation.models import CallbackRequest
from governance import clock
from governance.access import CaseHolder
from governance.models import Assignment, Case, Role, Status

SEED = 20261129
ANSWERED_SHARE = 0.6
LATE_SHARE = 0.25
COMMENTS = {
    (True, True): ["处理得很及时，谢谢！", "已经清理干净了。", ""],
    (True, False): ["解决了，但等得太久。", "处理后现场没有清理干净。"],
    (False, False): ["问题还在，没有人来处理。", "只是临时处理，第二天又出现了。"],
    (False, True): ["态度很好，但问题还没彻底解决。"],
}


def seed_callback_answers(*, now: datetime | None = None, seed: int = SEED) -> int:
    """Answer the callbacks of some of the demo's closed cases; returns how many. Cases that
    were answered already are left alone, so a second run adds nothing twice."""
    now = now or timezone.now()
    rng = random.Random(seed)
    hotline = list(
        Assignment.objects.filter(role__in=[Role.DISPATCHER, Role.LEADER], user__is_active=True)
        .select_related("user", "area")
        .order_by("area__path", "pk")
    )
    answered = 0
    closed = Case.objects.filter(status=Status.CLOSED, closed_at__isnull=False).order_by("pk")
    for case in closed:
        if answering.is_answered(case) or rng.random() > ANSWERED_SHARE:
            continue
        resolved = rng.random() < 0.8
        satisfied = rng.random() < (0.85 if resolved else 0.15)
        comment = rng.choice(COMMENTS[(resolved, satisfied)])
        # Most answer within days; some only after the reopen window (a review, if unresolved).
        late = rng.random() < LATE_SHARE
        delay = timedelta(days=rng.uniform(8, 20)) if late else timedelta(hours=rng.uniform(2, 60))
        last = case.events.order_by("-created_at").values_list("created_at", flat=True)[0]
        moment = min(max(case.closed_at + delay, last + timedelta(minutes=5)), now)
        CallbackRequest.objects.get_or_create(case=case, defaults={"created_at": case.closed_at})
        answers = {"resolved": resolved, "satisfied": satisfied, "comment": comment}
        staff = next((a.user for a in hotline if case.area_path.startswith(a.area.path)), None)
        with clock.travel(moment):
            if staff is not None and case.reporter_id is None and rng.random() < 0.5:
                answering.callback_answer_by_phone(case_id=case.pk, actor=staff, **answers)
            elif case.reporter_id is not None:
                answering.callback_answer_by_reporter(
                    case_id=case.pk, actor=case.reporter, **answers
                )
            else:
                answering.callback_answer_by_reporter(
                    case_id=case.pk, actor=CaseHolder([case.tracking_id]), **answers
                )
        answered += 1
    return answered
