"""The incident pages' forms: what a person types, cleaned; the domain functions decide."""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from emergency.access import IncidentAction, Person, held_paths
from emergency.linking import TOGETHER_ACTIONS
from emergency.models import IncidentKind, IncidentLevel, IncidentStatus
from governance.models import Area, Category, Department, Level


def manageable_areas(user: Person) -> QuerySet[Area]:
    """The active areas down to communities where the person may declare an incident (grids
    are reached by code or by drawing)."""
    areas = Area.objects.active().filter(level__lte=Level.COMMUNITY).order_by("path")
    if user.is_superuser:
        return areas
    where = Q(pk__in=[])
    for path in held_paths(user, IncidentAction.MANAGE):
        where |= Q(path__startswith=path)
    return areas.filter(where)


class AreaChoice(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Area) -> str:
        return f"{'· ' * max(0, obj.level - 2)}{obj.display_name} ({obj.code})"


class AreasForm(forms.Form):
    """The affected areas: subtrees ticked or typed by code, or a drawn polygon."""

    areas = AreaChoice(
        label=_("Affected areas"),
        queryset=Area.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Each area with everything beneath it."),
    )
    area_codes = forms.CharField(
        label=_("More areas by code"),
        required=False,
        help_text=_("Grid or other area codes, separated by commas."),
    )
    polygon = forms.CharField(
        label=_("Or draw the area (GeoJSON)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2, "data-polygon-output": ""}),
        help_text=_("Tap the map to draw; the grids the shape touches are affected."),
    )

    def __init__(self, *args: Any, user: Person, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["areas"].queryset = manageable_areas(user)

    def clean_polygon(self) -> dict | None:
        text = self.cleaned_data["polygon"].strip()
        if not text:
            return None
        try:
            value = json.loads(text)
        except ValueError:
            raise forms.ValidationError(_("The drawn area is not valid GeoJSON.")) from None
        if isinstance(value, dict) and value.get("type") == "Feature":
            value = value.get("geometry")
        return value

    def clean(self) -> dict:
        data = super().clean()
        codes = [c.strip() for c in (data.get("area_codes") or "").split(",") if c.strip()]
        found = list(Area.objects.active().filter(code__in=codes))
        missing = sorted(set(codes) - {area.code for area in found})
        if missing:
            self.add_error(
                "area_codes", _("No such area: %(codes)s") % {"codes": ", ".join(missing)}
            )
        data["all_areas"] = list(data.get("areas") or []) + found
        if not data["all_areas"] and not data.get("polygon") and not self.errors:
            raise forms.ValidationError(_("Choose the affected areas or draw them on the map."))
        return data


class DeclareForm(AreasForm):
    title = forms.CharField(label=_("Title"), max_length=200)
    title_en = forms.CharField(label=_("English title"), max_length=200, required=False)
    kind = forms.ChoiceField(label=_("Kind"), choices=IncidentKind.choices)
    level = forms.TypedChoiceField(
        label=_("Level"), choices=IncidentLevel.choices, coerce=int, initial=IncidentLevel.IV
    )
    exercise = forms.BooleanField(
        label=_("This is an exercise (drill)"),
        required=False,
        help_text=_("Marked as an exercise everywhere it is shown."),
    )
    occurred_at = forms.DateTimeField(
        label=_("Occurred at"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
        help_text=_("Empty: now."),
    )
    categories = forms.ModelMultipleChoiceField(
        label=_("Case categories to suggest for linking"),
        queryset=Category.objects.filter(active=True).order_by("code"),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    field_order = [
        "title",
        "title_en",
        "kind",
        "level",
        "exercise",
        "occurred_at",
        "areas",
        "area_codes",
        "polygon",
        "categories",
        "description",
    ]


class ChangeAreasForm(AreasForm):
    note = forms.CharField(label=_("Why"), required=False, max_length=4000)


class StatusForm(forms.Form):
    status = forms.ChoiceField(choices=IncidentStatus.choices)
    note = forms.CharField(required=False, max_length=4000)


class LevelForm(forms.Form):
    level = forms.TypedChoiceField(label=_("Level"), choices=IncidentLevel.choices, coerce=int)
    note = forms.CharField(label=_("Why"), required=False, max_length=4000)


class NoteForm(forms.Form):
    text = forms.CharField(
        label=_("Note"), max_length=4000, widget=forms.Textarea(attrs={"rows": 2})
    )


class LinkForm(forms.Form):
    cases = forms.TypedMultipleChoiceField(coerce=int, choices=[])

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["cases"].choices = [(v, v) for v in self.data.getlist("cases") if v.isdigit()]


class TogetherForm(forms.Form):
    action = forms.ChoiceField(label=_("Action"), choices=list(TOGETHER_ACTIONS.items()))
    department = forms.ModelChoiceField(
        label=_("Department"),
        queryset=Department.objects.order_by("code"),
        required=False,
        help_text=_("For dispatching."),
    )
    note = forms.CharField(
        label=_("Note (staff only)"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class ActivateForm(forms.Form):
    plan = forms.IntegerField()


class FeedbackForm(forms.Form):
    feedback = forms.CharField(
        label=_("Feedback"), max_length=4000, widget=forms.Textarea(attrs={"rows": 2})
    )
