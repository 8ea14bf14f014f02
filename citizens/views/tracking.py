"""Following a request without an account: the tracking page, the one-time link sent to the
reporter's contact, and the unsubscribe link of the messages sent to it."""

from __future__ import annotations

import re
import unicodedata

from django.contrib.auth.models import AnonymousUser
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from citizens import contact_updates, reporter_links
from citizens.views.requests import SUBMITTED_KEY, hold_case
from governance.access import Action, cases_for
from governance.limits import client_address, hit_request
from governance.web.limited import limit_posts, refuse
from notifications import contact_links

TRACKING_ID = re.compile(r"^\d{6}-[0-9A-HJKMNP-TV-Z]{6}$")
_DASHES = str.maketrans({"‐": "-", "‑": "-", "–": "-", "—": "-", "－": "-", "_": "-"})
_LOOKALIKES = str.maketrans({"O": "0", "I": "1", "L": "1", "U": "V"})  # Crockford's reading


def normalise_tracking_id(typed: str) -> str:
    """A tracking id as typed on a phone: full-width characters, spaces anywhere, lower case,
    another dash or none, O for 0 — read as the id it means ("" when it cannot be one)."""
    text = unicodedata.normalize("NFKC", typed or "").translate(_DASHES)
    text = "".join(text.split()).upper()
    if "-" not in text and len(text) == 12:
        text = f"{text[:6]}-{text[6:]}"
    head, dash, tail = text.partition("-")
    text = head + dash + tail.translate(_LOOKALIKES)
    return text if TRACKING_ID.match(text) else ""


@require_GET
def track(request: HttpRequest) -> HttpResponse:
    """Type a tracking id, open the request: its reporter's page in the browser that holds it,
    its public page for anyone else. Counted per address, so ids cannot be walked cheaply."""
    typed = (request.GET.get("id") or "").strip()
    error = ""
    if typed:
        exceeded = hit_request(request, "tracking")
        if exceeded is not None:
            return refuse(request, exceeded)
        tracking_id = normalise_tracking_id(typed)
        if not tracking_id:
            error = _(
                "A tracking id looks like 261129-7K3QX2: six digits, a dash, six letters or digits."
            )
        elif cases_for(AnonymousUser(), Action.PUBLIC).filter(tracking_id=tracking_id).exists():
            if tracking_id in request.session.get(SUBMITTED_KEY, []):
                return redirect("citizens:request", tracking_id=tracking_id)
            return redirect("citizens:public_request", tracking_id=tracking_id)
        else:
            error = _(
                "There is no request with the tracking id %(id)s. Check it and try again."
            ) % {"id": tracking_id}
    return render(
        request,
        "citizens/track.html",
        {"typed": typed[:40], "error": error},
        status=404 if error and typed else 200,
    )


@require_http_methods(["GET", "POST"])
def reporter_link(request: HttpRequest, token: str) -> HttpResponse:
    """The one-time link: GET asks to open the request (a mail scanner fetching the link does
    not use it up), POST uses it and signs this browser in to the request's reporter view."""
    found = reporter_links.state(token)
    if found.link is None or not found.usable:
        return _link_ended(request, token, found)
    if request.user.is_authenticated:
        # The link opens a request filed without an account, in a browser with no account
        # signed in: used here it would be spent on a session that cannot show the request.
        return render(
            request,
            "citizens/reporter_link.html",
            {"tracking_id": found.link.case.tracking_id, "signed_in": True},
        )
    if request.method == "POST":
        case = reporter_links.redeem(token=token, address=client_address(request))
        if case is None:
            return _link_ended(request, token, reporter_links.state(token))
        request.session.cycle_key()  # a new session id for a browser that now holds a case
        hold_case(request, case.tracking_id)
        return redirect("citizens:request", tracking_id=case.tracking_id)
    return render(
        request, "citizens/reporter_link.html", {"tracking_id": found.link.case.tracking_id}
    )


def _link_ended(request: HttpRequest, token: str, found: reporter_links.LinkState) -> HttpResponse:
    """A used, expired or unknown link: never a dead end (a fresh link, or the tracking page)."""
    return render(
        request,
        "citizens/reporter_link_ended.html",
        {
            "known": found.link is not None,
            "tracking_id": found.link.case.tracking_id if found.link else "",
            "token": token,
        },
        status=410 if found.link is not None else 404,
    )


def _link_case_key(request: HttpRequest) -> str | None:
    """Fresh links are counted per case too (the limit's target), whoever asks."""
    token = request.resolver_match.kwargs.get("token", "") if request.resolver_match else ""
    found = reporter_links.state(token)
    return f"case:{found.link.case_id}" if found.link is not None else None


@require_POST
@limit_posts("reporter_link", target=_link_case_key)
def fresh_link(request: HttpRequest, token: str) -> HttpResponse:
    """Send a new one-time link to the contact the request was filed with (never shown)."""
    found = reporter_links.state(token)
    if found.link is None:
        raise Http404
    sent = contact_updates.send_fresh_link(case=found.link.case)
    return render(
        request,
        "citizens/reporter_link_sent.html",
        {"sent": sent, "tracking_id": found.link.case.tracking_id},
    )


@csrf_exempt  # mail programs' one-click unsubscribe (RFC 8058) posts without a form
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """One click stops the messages to a reporter's contact; the page confirms and can undo."""
    case_id = contact_links.case_of_unsubscribe_token(token)
    if case_id is None or not contact_updates.set_subscribed(case_id=case_id, subscribed=False):
        raise Http404
    return render(request, "citizens/unsubscribe.html", {"token": token, "subscribed": False})


@require_POST
def resubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """Undo an unsubscribe: the messages about the request start again."""
    case_id = contact_links.case_of_unsubscribe_token(token)
    if case_id is None or not contact_updates.set_subscribed(case_id=case_id, subscribed=True):
        raise Http404
    return render(request, "citizens/unsubscribe.html", {"token": token, "subscribed": True})
