"""The public record: recent requests on a map and as a list, anonymised."""

from __future__ import annotations

from django import forms
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from governance.models import Category, Status
from governance.public import public_request, recent_requests
from governance.web.common import map_settings


class PublicFilter(forms.Form):
    category = forms.ModelChoiceField(
        label=_("Category"),
        required=False,
        queryset=Category.objects.filter(active=True),
        empty_label=_("All categories"),
    )
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("All")), *Status.choices]
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].label_from_instance = lambda c: c.display_name


@require_GET
def public_list(request: HttpRequest) -> HttpResponse:
    form = PublicFilter(request.GET or None)
    category_id = status = None
    if form.is_valid():
        category = form.cleaned_data["category"]
        category_id = category.pk if category else None
        status = form.cleaned_data["status"] or None
    rows = recent_requests(category_id=category_id, status=status)
    points = [row.as_json() for row in rows if row.lon is not None]
    return render(
        request,
        "citizens/public.html",
        {"filter": form, "rows": rows, "points": points, "map": map_settings()},
    )


@require_GET
def public_detail(request: HttpRequest, tracking_id: str) -> HttpResponse:
    row = public_request(tracking_id)
    if row is None:
        raise Http404
    return render(
        request,
        "citizens/public_request.html",
        {
            "row": row,
            "form": row.form,
            "media": row.form.media_urls(request),
            "points": [row.as_json()] if row.lon is not None else [],
            "map": map_settings(),
        },
    )
