"""What a follower or an area alert's subscriber is mailed: the one place it is composed.

Every mail is in the subscriber's language (an account's as it is now, an address's as it was
when subscribing), says the request's tracking id, category and status in words, carries only
the public note and absolute links (the public request page, one-click unsubscribe — also as
the `List-Unsubscribe` header, RFC 8058), and never a point or a word of a private-location
case beyond its category and status. The texts are templates under `templates/citizens/mail/`.
"""

from __future__ import annotations

from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from citizens.following import links
from citizens.models import Alert, Subscription, SubscriptionTarget
from governance import addresses
from governance.models import Case, CaseEvent
from governance.public import CaseFacts, TextFacts, public_form
from notifications.models import status_label


def absolute(subscription: Subscription, path: str) -> str:
    """`path` on the site the subscription was made at (the address the person used then);
    for one made elsewhere (the admin, a script), the site's configured address."""
    if subscription.site:
        return subscription.site.rstrip("/") + path
    return addresses.absolute(path)


def public_note(case: Case, event: CaseEvent) -> str:
    """The entry's public text, if it has one (a note to staff or to the reporter: nothing)."""
    facts = CaseFacts.of(case)
    text = TextFacts(event.created_at, event.kind, event.audience, event.note)
    steps = public_form(facts, texts=[text]).steps
    return (steps[0].text or "") if steps else ""


def _language(subscription: Subscription) -> str:
    if subscription.user_id is not None:
        return subscription.user.preferred_language or "zh-hans"
    return subscription.language or "zh-hans"


def _unsubscribe_url(subscription: Subscription) -> str:
    token = links.unsubscribe_token(subscription)
    return absolute(subscription, reverse("citizens:follow_unsubscribe", args=[token]))


def _what(subscription: Subscription) -> str:
    """What is followed, in words (the active language)."""
    if subscription.target == SubscriptionTarget.CASE and subscription.case_id:
        case = subscription.case
        return f"{case.tracking_id} · {case.category.display_name}"
    if subscription.target == SubscriptionTarget.AREA and subscription.area_id:
        return subscription.area.display_name
    return render_to_string(
        "citizens/mail/circle.txt",
        {"radius": subscription.radius_m, "lon": subscription.lon, "lat": subscription.lat},
    ).strip()


def _send(subscription: Subscription, subject: str, body: str) -> None:
    unsubscribe = _unsubscribe_url(subscription)
    EmailMessage(
        subject=" ".join(subject.split())[:200],
        body=body,
        to=[subscription.address],
        headers={
            "List-Unsubscribe": f"<{unsubscribe}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    ).send()


def send_confirmation(subscription: Subscription, token: str) -> None:
    """The mail with the link that confirms a subscription made from an e-mail address."""
    with translation.override(_language(subscription)):
        context = {
            "what": _what(subscription),
            "follows_case": subscription.target == SubscriptionTarget.CASE,
            "confirm_url": absolute(subscription, reverse("citizens:follow_confirm", args=[token])),
            "unsubscribe_url": _unsubscribe_url(subscription),
            "days": links.CONFIRM_WITHIN.days,
        }
        subject = render_to_string("citizens/mail/confirm_subject.txt", context)
        body = render_to_string("citizens/mail/confirm.txt", context)
    _send(subscription, subject, body)


def alert_context(alert: Alert) -> dict[str, object]:
    """What an alert mail says, in the active language: the public form of the case only."""
    subscription, event = alert.subscription, alert.event
    case = event.case
    private = case.category.private_location
    return {
        "tracking_id": case.tracking_id,
        "category": case.category.display_name,
        "status": status_label(case.status),
        "new": event.kind == "submitted",
        "follows_case": subscription.target == SubscriptionTarget.CASE,
        "what": _what(subscription),
        "note": public_note(case, event),
        "address": "" if private else case.address,
        "area": case.grid.display_name if case.grid_id else "",
        "request_url": absolute(
            subscription, reverse("citizens:public_request", args=[case.tracking_id])
        ),
        "settings_url": absolute(
            subscription,
            reverse("citizens:notifications" if subscription.user_id else "citizens:alerts"),
        ),
        "unsubscribe_url": _unsubscribe_url(subscription),
    }


def send_alert(alert: Alert) -> None:
    with translation.override(_language(alert.subscription)):
        context = alert_context(alert)
        subject = render_to_string("citizens/mail/alert_subject.txt", context)
        body = render_to_string("citizens/mail/alert.txt", context)
    _send(alert.subscription, subject, body)


def alert_sms(alert: Alert) -> str:
    """The same alert as one SMS text: tracking id, category, status, the link."""
    with translation.override(_language(alert.subscription)):
        return " ".join(
            render_to_string("citizens/mail/alert_sms.txt", alert_context(alert)).split()
        )
