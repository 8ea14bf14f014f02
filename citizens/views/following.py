"""Following a request, area alerts, and the links in their e-mails: thin views over
`citizens.following`."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import AnonymousUser
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from citizens.following import subscribing
from citizens.models import SubscriptionSource
from governance.access import Action, cases_for
from governance.models import Area, Case
from governance.web.common import map_settings
from governance.web.limited import limit_posts


class EmailForm(forms.Form):
    email = forms.EmailField(
        label=gettext_lazy("Your e-mail address"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )


def _source(request: HttpRequest) -> str:
    wanted = request.POST.get("from") or request.GET.get("from")
    return (
        SubscriptionSource.DUPLICATE_HINT
        if wanted == SubscriptionSource.DUPLICATE_HINT
        else SubscriptionSource.PAGE
    )


def _site(request: HttpRequest) -> str:
    """The site's absolute address as this request reached it, for links in later e-mails."""
    return request.build_absolute_uri("/")


def _followable_case(request: HttpRequest, tracking_id: str) -> Case:
    """The case from the public record, if the person may follow it; else the same 404 as for
    a case that does not exist."""
    case = (
        cases_for(AnonymousUser(), Action.PUBLIC)
        .select_related("category")
        .filter(tracking_id=tracking_id)
        .first()
    )
    if case is None:
        raise Http404
    if subscribing.is_reporter(request.user, case):
        return case
    if not subscribing.followable(request.user, case):
        raise Http404
    return case


def _email_target(request: HttpRequest) -> str | None:
    return request.POST.get("email")


@require_http_methods(["GET", "POST"])
@limit_posts("follow", target=_email_target)
def follow(request: HttpRequest, tracking_id: str) -> HttpResponse:
    """Signed in: one tap follows (or, with `action=unfollow`, stops). Not signed in: an e-mail
    address, confirmed through a link. The reporter is told of their request already."""
    case = _followable_case(request, tracking_id)
    back = redirect("citizens:public_request", tracking_id=case.tracking_id)
    if subscribing.is_reporter(request.user, case):
        messages.info(request, _("You reported this request: you are told of every change."))
        return redirect("citizens:request", tracking_id=case.tracking_id)
    form = EmailForm(request.POST or None)
    if request.method == "POST" and request.user.is_authenticated:
        if request.POST.get("action") == "unfollow":
            subscribing.unfollow_case(user=request.user, case=case)
            messages.success(request, _("You no longer follow this request."))
        else:
            subscribing.follow_case(
                user=request.user, case=case, source=_source(request), site=_site(request)
            )
            messages.success(request, _("You follow this request: its changes will reach you."))
        return back
    if request.method == "POST" and form.is_valid():
        subscribing.request_follow_by_email(
            email=form.cleaned_data["email"],
            case=case,
            language=get_language() or "zh-hans",
            site=_site(request),
            source=_source(request),
        )
        messages.success(
            request,
            _("We sent a link to %(email)s: open it to start following this request.")
            % {"email": form.cleaned_data["email"]},
        )
        return back
    return render(
        request,
        "citizens/follow.html",
        {
            "case": case,
            "form": form,
            "source": _source(request),
            "following": subscribing.follows(request.user, case),
            "count": subscribing.me_too_count(case),
        },
        status=400 if form.errors else 200,
    )


@require_http_methods(["GET"])
def follow_confirm(request: HttpRequest, token: str) -> HttpResponse:
    """The link in the confirmation e-mail: the subscription starts."""
    row = subscribing.confirm(token)
    return render(
        request,
        "citizens/follow_link.html",
        {"row": row, "confirmed": True},
        status=200 if row else 404,
    )


@csrf_exempt  # the one-click unsubscribe of mail programs (RFC 8058) posts without a cookie
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """The link in every e-mail: one click ends the subscription, no sign-in."""
    row = subscribing.unsubscribe(token)
    return render(
        request,
        "citizens/follow_link.html",
        {"row": row, "ended": True},
        status=200 if row else 404,
    )


# --- area alerts ------------------------------------------------------------------------------


class AlertForm(forms.Form):
    kind = forms.ChoiceField(
        label=gettext_lazy("Alert me about requests"),
        choices=[
            ("area", gettext_lazy("in a community")),
            ("circle", gettext_lazy("in a circle on the map")),
        ],
        widget=forms.RadioSelect,
        initial="area",
    )
    area = forms.ModelChoiceField(
        label=gettext_lazy("Community"),
        queryset=Area.objects.none(),
        required=False,
        empty_label=gettext_lazy("Choose a community"),
    )
    lon = forms.FloatField(
        label=gettext_lazy("Centre: longitude"), required=False, min_value=-180, max_value=180
    )
    lat = forms.FloatField(
        label=gettext_lazy("Centre: latitude"), required=False, min_value=-85, max_value=85
    )
    radius_m = forms.IntegerField(
        label=gettext_lazy("Radius (metres)"),
        min_value=subscribing.MIN_RADIUS_M,
        max_value=subscribing.MAX_RADIUS_M,
        initial=500,
        required=False,
        help_text=gettext_lazy("From 100 m to 5 km."),
    )
    email = forms.EmailField(
        label=gettext_lazy("Your e-mail address"),
        max_length=254,
        required=False,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )

    def __init__(self, *args, signed_in: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area"].queryset = subscribing.communities()
        self.fields["area"].label_from_instance = lambda area: area.display_name
        if signed_in:
            del self.fields["email"]
        else:
            self.fields["email"].required = True

    def clean(self) -> dict:
        data = super().clean()
        if data.get("kind") == "area" and not data.get("area"):
            self.add_error("area", _("Choose a community."))
        if data.get("kind") == "circle":
            if data.get("lon") is None or data.get("lat") is None:
                self.add_error("lon", _("Pick the centre on the map, or type it."))
            if data.get("radius_m") is None:
                self.add_error("radius_m", _("Say how far around the centre, from 100 m to 5 km."))
        return data

    def target(self) -> dict:
        data = self.cleaned_data
        if data["kind"] == "area":
            return {"area": data["area"]}
        return {"circle": (data["lon"], data["lat"], data["radius_m"])}


@require_http_methods(["GET", "POST"])
@limit_posts("follow", target=_email_target)
def alerts(request: HttpRequest) -> HttpResponse:
    """Area alerts: the person's own (signed in), and a form for a new one."""
    signed_in = request.user.is_authenticated
    form = AlertForm(request.POST or None, signed_in=signed_in)
    if request.method == "POST" and form.is_valid():
        if signed_in:
            subscribing.subscribe_alert(user=request.user, site=_site(request), **form.target())
            messages.success(
                request, _("Your alert is on: new and changed requests there reach you.")
            )
        else:
            subscribing.request_alert_by_email(
                email=form.cleaned_data["email"],
                language=get_language() or "zh-hans",
                site=_site(request),
                **form.target(),
            )
            messages.success(
                request,
                _("We sent a link to %(email)s: open it to start the alert.")
                % {"email": form.cleaned_data["email"]},
            )
        return redirect("citizens:alerts")
    return render(
        request,
        "citizens/alerts.html",
        {
            "form": form,
            "alerts": subscribing.alerts_of(request.user) if signed_in else [],
            "map": map_settings(),
        },
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def alert_stop(request: HttpRequest) -> HttpResponse:
    """Stop one of the person's own alerts (anyone else's: nothing happens)."""
    try:
        subscription_id = int(request.POST.get("subscription", ""))
    except ValueError:
        subscription_id = 0
    if subscribing.end_alert(user=request.user, subscription_id=subscription_id):
        messages.success(request, _("That alert is off."))
    return redirect("citizens:alerts")
