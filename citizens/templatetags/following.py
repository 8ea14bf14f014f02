"""`{% follow_box tracking_id %}`: the follow block of a public request page (and its count)."""

from __future__ import annotations

from django import template
from django.contrib.auth.models import AnonymousUser

from citizens.following import subscribing
from governance.access import Action, cases_for

register = template.Library()


@register.inclusion_tag("citizens/_follow.html", takes_context=True)
def follow_box(context: template.Context, tracking_id: str) -> dict:
    """What the person may do here: follow or stop (signed in), follow by e-mail, nothing on a
    private-location case they may not view; and how many follow it, never who."""
    from citizens.views.following import EmailForm

    request = context["request"]
    case = (
        cases_for(AnonymousUser(), Action.PUBLIC)
        .select_related("category")
        .filter(tracking_id=tracking_id)
        .first()
    )
    if case is None:
        return {"case": None}
    reporter = subscribing.is_reporter(request.user, case)
    return {
        "case": case,
        "csrf_token": context.get("csrf_token"),
        "user": request.user,
        "reporter": reporter,
        "may_follow": not reporter and subscribing.followable(request.user, case),
        "following": subscribing.follows(request.user, case),
        "count": subscribing.me_too_count(case),
        "form": EmailForm(auto_id="follow_%s"),
    }
