"""/work/emergency/resources/…: staff pages to list, add and edit shelters, supplies and teams,
and the phone form for a shelter's occupancy. Thin: the scope and the changes are
`emergency.resources`'s."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from emergency.access import IncidentAction, held_paths
from emergency.models import Shelter, Supply, Team
from emergency.resources import (
    RESOURCE_MODELS,
    may_add_anywhere,
    may_edit,
    resources_for,
    save_resource,
    set_occupancy,
)
from governance.errors import InvalidInput, NotPermitted
from governance.models import Area, Level
from governance.web.common import refused

TITLES = {
    "shelters": gettext_lazy("Shelters"),
    "supplies": gettext_lazy("Supplies"),
    "teams": gettext_lazy("Teams"),
}
FIELDS = {
    Shelter: [
        "name", "grid", "lon", "lat", "address", "capacity", "occupancy", "open",
        "contact_name", "contact_phone",
    ],
    Supply: [
        "kind", "name", "quantity", "unit", "state", "grid", "lon", "lat", "storage_place",
        "custodian", "custodian_phone",
    ],
    Team: ["name", "kind", "members", "grid", "lon", "lat", "leader_name", "leader_phone"],
}  # fmt: skip


def managed_grids(user) -> forms.ModelChoiceField:
    grids = Area.objects.active().filter(level=Level.GRID).order_by("path")
    if not user.is_superuser:
        within = Q(pk__in=[])
        for path in held_paths(user, IncidentAction.MANAGE):
            within |= Q(path__startswith=path)
        grids = grids.filter(within)
    return grids


class ResourceForm(forms.ModelForm):
    """A resource's fields; the grid is chosen among those the person manages."""

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["grid"].queryset = managed_grids(user)
        self.fields["grid"].label_from_instance = lambda area: f"{area.display_name} · {area.code}"
        for name in ("lon", "lat"):
            self.fields[name].widget.attrs.update(step="any", inputmode="decimal")
        for name in ("contact_phone", "custodian_phone", "leader_phone"):
            if name in self.fields:
                self.fields[name].widget.input_type = "tel"


def resource_form(model, user, data=None, instance=None) -> forms.ModelForm:
    form_class = forms.modelform_factory(model, form=ResourceForm, fields=FIELDS[model])
    return form_class(data=data, instance=instance, user=user)


def _model(kind: str):
    model = RESOURCE_MODELS.get(kind)
    if model is None:
        raise Http404
    return model


def may_use(user) -> bool:
    return user.is_superuser or bool(held_paths(user, IncidentAction.VIEW))


@login_required
@require_http_methods(["GET"])
def resource_list(request: HttpRequest) -> HttpResponse:
    if not may_use(request.user):
        return refused(request, _("The resources are for staff of the areas."))
    kind = request.GET.get("kind", "shelters")
    model = _model(kind)
    resources = list(
        resources_for(request.user, model).defer("grid__boundary").order_by("path", "name", "pk")
    )
    rows = [{"resource": r, "editable": may_edit(request.user, r)} for r in resources]
    return render(
        request,
        "emergency/resources.html",
        {
            "kind": kind,
            "kinds": [(key, TITLES[key]) for key in RESOURCE_MODELS],
            "title": TITLES[kind],
            "rows": rows,
            "may_add": may_add_anywhere(request.user),
        },
    )


def _scoped(request: HttpRequest, model, pk: int):
    resource = resources_for(request.user, model).filter(pk=pk).first()
    if resource is None:
        raise Http404
    return resource


@login_required
@require_http_methods(["GET", "POST"])
def resource_edit(request: HttpRequest, kind: str, pk: int | None = None) -> HttpResponse:
    model = _model(kind)
    resource = _scoped(request, model, pk) if pk is not None else None
    if resource is not None and not may_edit(request.user, resource):
        return refused(request, _("You may see this resource but not change it."))
    if resource is None and not may_add_anywhere(request.user):
        return refused(request, _("You may not add resources."))
    form = resource_form(
        model, request.user, request.POST if request.method == "POST" else None, resource
    )
    if request.method == "POST" and form.is_valid():
        try:
            saved = save_resource(user=request.user, resource=form.instance)
        except NotPermitted as error:
            return refused(request, error.message)
        except InvalidInput as error:
            for field, errors in error.errors.items():
                for message in errors:
                    form.add_error(field if field in form.fields else None, message)
        else:
            messages.success(request, _("Saved: %(name)s.") % {"name": saved.name})
            return redirect(reverse("emergency:resources") + f"?kind={kind}")
    return render(
        request,
        "emergency/resource_form.html",
        {"form": form, "kind": kind, "title": TITLES[kind], "resource": resource},
        status=400 if form.errors else 200,
    )


class OccupancyForm(forms.Form):
    occupancy = forms.IntegerField(label=gettext_lazy("People sheltered now"), min_value=0)
    open = forms.BooleanField(label=gettext_lazy("Open"), required=False)


@login_required
@require_POST
def shelter_occupancy(request: HttpRequest, pk: int) -> HttpResponse:
    shelter = _scoped(request, Shelter, pk)
    form = OccupancyForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Enter a number of people, 0 or more."))
        return redirect(reverse("emergency:resources") + "?kind=shelters")
    try:
        set_occupancy(
            user=request.user,
            shelter=shelter,
            occupancy=form.cleaned_data["occupancy"],
            open=form.cleaned_data["open"],
        )
    except NotPermitted as error:
        return refused(request, error.message)
    messages.success(
        request,
        _("%(name)s: %(occupancy)d of %(capacity)d places taken.")
        % {"name": shelter.name, "occupancy": shelter.occupancy, "capacity": shelter.capacity},
    )
    return redirect(reverse("emergency:resources") + f"?kind=shelters#shelter-{shelter.pk}")
