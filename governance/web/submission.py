"""The request form shared by the citizen's submit page and the staff filing page.

The form checks shapes (a category chosen, numbers where numbers go); `workflow.submit_case`
validates everything that matters and its field errors are put back next to the fields.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django import forms
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from governance.errors import InvalidInput
from governance.inputs import MomentFormField, max_length
from governance.models import Area, CaseContact, Category, Datatype, Question, Urgency
from governance.models.category import Family
from governance.web.uploads import PhotosField
from governance.workflow import contact_errors


def grouped_categories() -> list[tuple[str, list[tuple[int, str]]]]:
    """Active categories grouped by family, for a select with optgroups."""
    groups: dict[str, list[tuple[int, str]]] = defaultdict(list)
    for category in Category.objects.filter(active=True).order_by("family", "code"):
        groups[category.family].append((category.pk, category.display_name))
    labels = dict(Family.choices)
    return [(str(labels.get(family, family)), items) for family, items in groups.items()]


class CategorySelect(forms.Select):
    """Each option carries both names and keywords, so the page can filter it as one types."""

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        category = self.by_pk.get(str(value)) if value else None
        if category is not None:
            option["attrs"]["data-search"] = " ".join(
                [category.name, category.name_en, category.keywords, category.code]
            ).lower()
            option["attrs"]["data-urgent"] = "1" if category.allows_urgent else "0"
        return option


def question_field(question: Question) -> forms.Field:
    label = question.display_label
    common = {
        "label": label,
        "required": question.required,
        "help_text": question.display_description,
    }
    kind = question.datatype
    if kind == Datatype.NUMBER:
        return forms.DecimalField(**common)
    if kind == Datatype.DATETIME:
        return MomentFormField(
            widget=forms.DateTimeInput(attrs={"type": "datetime-local"}), **common
        )
    if kind == Datatype.TEXT:
        return forms.CharField(max_length=4000, widget=forms.Textarea(attrs={"rows": 3}), **common)
    if kind in (Datatype.SINGLE, Datatype.MULTI):
        choices = list(question.value_names.items())
        if kind == Datatype.SINGLE:
            return forms.ChoiceField(
                choices=[("", "—"), *choices] if not question.required else choices,
                widget=forms.RadioSelect if len(choices) <= 4 else forms.Select,
                **common,
            )
        return forms.MultipleChoiceField(
            choices=choices, widget=forms.CheckboxSelectMultiple, **common
        )
    return forms.CharField(max_length=200, **common)


def answer_key(code: str) -> str:
    return f"answer_{code}"


class CaseForm(forms.Form):
    category = forms.TypedChoiceField(label=_("Category"), coerce=int)
    description = forms.CharField(
        label=_("Describe the problem"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "Published with the request, as are the address and photos (not for categories "
            "about a home). Leave names and phone numbers to the contact fields."
        ),
    )
    lon = forms.FloatField(required=False, widget=forms.HiddenInput)
    lat = forms.FloatField(required=False, widget=forms.HiddenInput)
    address = forms.CharField(
        label=_("Address or landmark"),
        required=False,
        max_length=300,
        help_text=_("If you do not put a pin on the map, type the address and choose the area."),
    )
    near = forms.ModelChoiceField(
        label=_("Neighbourhood (when there is no pin)"),
        required=False,
        queryset=Area.objects.none(),
        empty_label="—",
    )
    urgency = forms.ChoiceField(
        label=_("Urgency"),
        choices=Urgency.choices,
        initial=Urgency.GENERAL,
        widget=forms.RadioSelect,
    )
    photos = PhotosField(label=_("Photos"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        widget = CategorySelect(
            attrs={
                "hx-get": reverse("citizens:submit_questions"),
                "hx-target": "#questions",
                "hx-trigger": "change",
            }
        )
        categories = list(Category.objects.filter(active=True))
        widget.by_pk = {str(c.pk): c for c in categories}
        self.fields["category"].widget = widget
        self.fields["category"].choices = [("", _("Choose a category")), *grouped_categories()]
        self.fields["near"].queryset = Area.objects.active().grids().order_by("path")
        self.fields["near"].label_from_instance = lambda a: a.display_name
        self.category = self._chosen_category(categories)
        self.questions = list(self.category.questions.all()) if self.category else []
        for question in self.questions:
            self.fields[answer_key(question.code)] = question_field(question)

    def _chosen_category(self, categories: list[Category]) -> Category | None:
        raw = (self.data.get("category") if self.is_bound else self.initial.get("category")) or ""
        return next((c for c in categories if str(c.pk) == str(raw)), None)

    @property
    def question_fields(self) -> list[forms.BoundField]:
        return [self[answer_key(q.code)] for q in self.questions]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        has_pin = data.get("lon") is not None and data.get("lat") is not None
        if not has_pin and not data.get("near"):
            self.add_error(
                "address",
                _(
                    "Put a pin on the map, use your location, or type the address and choose "
                    "the neighbourhood."
                ),
            )
        if (
            self.category
            and data.get("urgency") == Urgency.URGENT
            and not self.category.allows_urgent
        ):
            self.add_error("urgency", _("This category cannot be marked urgent."))
        return data

    def point(self) -> tuple[float, float]:
        data = self.cleaned_data
        if data.get("lon") is not None and data.get("lat") is not None:
            return data["lon"], data["lat"]
        inside = data["near"].boundary and _representative(data["near"].boundary)
        return inside

    def answers(self) -> dict[str, Any]:
        result: dict[str, Any] = {}
        for question in self.questions:
            value = self.cleaned_data.get(answer_key(question.code))
            if value in (None, "", []):
                continue
            if hasattr(value, "isoformat"):
                value = value.isoformat()
            elif question.datatype == Datatype.NUMBER:
                value = float(value)
            result[question.code] = value
        return result

    def submission(self) -> dict[str, Any]:
        """Keyword arguments for workflow.submit_case (without actor, channel and contact)."""
        lon, lat = self.point()
        return {
            "category": Category.objects.get(pk=self.cleaned_data["category"]),
            "description": self.cleaned_data["description"],
            "lon": lon,
            "lat": lat,
            "address": self.cleaned_data["address"],
            "urgency": self.cleaned_data["urgency"],
            "answers": self.answers(),
            "files": self.cleaned_data["photos"],
        }

    def apply_errors(self, error: InvalidInput) -> None:
        """The workflow's field errors, next to the matching fields."""
        aliases = {"files": "photos", "lon": "address", "lat": "address", "location": "address"}
        for field, messages in error.errors.items():
            if field.startswith("answers."):
                name = answer_key(field.split(".", 1)[1])
            elif field.startswith("contact"):
                name = {"contact.phone": "phone", "contact.email": "email"}.get(field, "phone")
            else:
                name = aliases.get(field, field)
            for message in messages:
                self.add_error(name if name in self.fields else None, message)


def _representative(boundary: dict) -> tuple[float, float]:
    from governance.geometry import parse_boundary

    point = parse_boundary(boundary).representative_point()
    return point.x, point.y


class ContactMixin(forms.Form):
    name = forms.CharField(
        label=_("Your name (optional)"),
        required=False,
        max_length=max_length(CaseContact, "name"),
    )
    phone = forms.CharField(
        label=_("Phone"),
        required=False,
        max_length=max_length(CaseContact, "phone"),
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
    )
    email = forms.EmailField(
        label=_("E-mail"),
        required=False,
        max_length=max_length(CaseContact, "email"),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )

    # Whether the reporter must leave a phone or e-mail (an anonymous citizen).
    contact_required = False

    def clean(self) -> dict[str, Any]:
        """The workflow's contact checks too, so every error shows in the same round."""
        data = super().clean()
        fields = {"contact.name": "name", "contact.phone": "phone", "contact.email": "email"}
        errors = contact_errors(contact=self.contact(), anonymous=self.contact_required)
        for key, messages in errors.items():
            name = fields.get(key, "phone")
            if key == "contact" and "email" in self.errors:
                continue  # an e-mail was left, only not a valid one: that is its own error
            for message in messages:
                if name not in self.errors or message not in self.errors[name]:
                    self.add_error(name, message)
        return data

    def contact(self) -> dict[str, str]:
        data = getattr(self, "cleaned_data", {})
        return {k: (data.get(k) or "").strip() for k in ("name", "phone", "email")}
