"""Areas: the tree as an indented list, boundaries on a map, and the GeoJSON import page."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, F, Func, OuterRef, Q, QuerySet, Subquery
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from governance.area_import import AreaImportError, import_areas, redraw_grid
from governance.inputs import JSON_FORM_FIELDS
from governance.models import Area, Case, Level

MAX_IMPORT_BYTES = 20 * 1024 * 1024


class ActiveFilter(admin.SimpleListFilter):
    title = _("state")
    parameter_name = "active"

    def lookups(self, request, model_admin):
        return [("yes", _("active")), ("no", _("retired"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(retired_at__isnull=True)
        if self.value() == "no":
            return queryset.filter(retired_at__isnull=False)
        return queryset


class UnderFilter(admin.SimpleListFilter):
    """Everything beneath one district, street or community (a prefix of the path)."""

    title = _("under")
    parameter_name = "under"

    def lookups(self, request, model_admin):
        areas = Area.objects.active().filter(level__lt=Level.GRID).order_by("path")
        return [(a.code, f"{'· ' * (a.level - 1)}{a.code} {a.display_name}") for a in areas]

    def queryset(self, request, queryset):
        if not self.value():
            return queryset
        area = Area.objects.active().filter(code=self.value()).first()
        return queryset.under(area) if area else queryset.none()


class AreaForm(forms.ModelForm):
    class Meta:
        model = Area
        fields = [
            "code",
            "name",
            "name_en",
            "level",
            "parent",
            "boundary",
            "valid_from",
            "retired_at",
        ]
        widgets = {
            "boundary": forms.Textarea(
                attrs={"rows": 8, "cols": 90, "spellcheck": "false", "class": "vLargeTextField"}
            )
        }
        help_texts = {
            "boundary": _(
                'A GeoJSON Polygon or MultiPolygon, e.g. {"type": "Polygon", "coordinates": '
                "[[[lon, lat], …]]}. The map below redraws as you type."
            )
        }


class AreaImportForm(forms.Form):
    file = forms.FileField(
        label=_("GeoJSON file"),
        help_text=_(
            "A FeatureCollection; each feature's properties: code, name, name_en, level "
            "(city, district, street, community, grid) and parent (the parent's code)."
        ),
    )
    dry_run = forms.BooleanField(
        label=_("Only check the file, import nothing"), required=False, initial=False
    )

    def clean_file(self) -> bytes:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_IMPORT_BYTES:
            raise forms.ValidationError(
                gettext("The file is larger than %(mb)d MB.")
                % {"mb": MAX_IMPORT_BYTES // (1024 * 1024)}
            )
        return upload.read()


def _outline(area: Area) -> dict[str, Any]:
    return {"code": area.code, "name": area.name, "boundary": area.boundary}


def map_context(area: Area | None) -> dict[str, Any]:
    """What admin-map.js draws: the area, its parent, siblings and children, from our data."""
    data: dict[str, Any] = {
        "tile_url": settings.MAP_TILE_URL,
        "attribution": settings.MAP_TILE_ATTRIBUTION,
        "area": None,
        "parent": None,
        "siblings": [],
        "children": [],
    }
    if area is None or area.pk is None:
        return data
    data["area"] = _outline(area)
    active = Area.objects.active().exclude(boundary=None).exclude(pk=area.pk)
    if area.parent_id:
        data["parent"] = _outline(area.parent)
        data["siblings"] = [_outline(a) for a in active.filter(parent_id=area.parent_id)]
    data["children"] = [_outline(a) for a in active.filter(parent_id=area.pk)]
    return data


@admin.register(Area)
class AreaAdmin(admin.ModelAdmin):
    form = AreaForm
    formfield_overrides = JSON_FORM_FIELDS
    list_display = [
        "tree_code",
        "name",
        "name_en",
        "level",
        "children_count",
        "case_count",
        "is_active",
    ]
    list_display_links = ["tree_code"]
    list_filter = ["level", ActiveFilter, UnderFilter]
    search_fields = ["code", "name", "name_en"]
    ordering = ["path", "-valid_from"]
    autocomplete_fields = ["parent"]
    readonly_fields = ["path", "bounding_box", "replaced_by", "updated_at"]
    list_per_page = 100
    change_list_template = "admin/governance/area/change_list.html"
    change_form_template = "admin/governance/area/change_form.html"

    def get_queryset(self, request: HttpRequest) -> QuerySet[Area]:
        cases_under = (
            Case.objects.filter(area_path__startswith=OuterRef("path"))
            .order_by()
            .annotate(n=Func(F("pk"), function="COUNT"))
            .values("n")
        )
        return (
            super()
            .get_queryset(request)
            .select_related("parent")
            .annotate(
                children_total=Count("children", filter=Q(children__retired_at__isnull=True)),
                cases_total=Subquery(cases_under),
            )
        )

    def get_readonly_fields(self, request, obj=None):
        """Code, level and parent are the area's place in the tree (and in every path beneath
        it and every case's area path): fixed once created. To move an area, retire it and
        import or add its successor."""
        fields = list(super().get_readonly_fields(request, obj))
        return fields if obj is None else ["code", "level", "parent", *fields]

    def get_search_results(self, request, queryset, search_term):
        queryset, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        if request.path.endswith("/autocomplete/"):  # pick parents and assignments among live areas
            queryset = queryset.filter(retired_at__isnull=True)
        return queryset, may_have_duplicates

    @admin.display(description=_("code"), ordering="path")
    def tree_code(self, area: Area) -> str:
        return format_html(
            '<span style="padding-left:{}em">{}</span>', (area.level - 1) * 1.5, area.code
        )

    @admin.display(description=_("sub-areas"), ordering="children_total")
    def children_count(self, area: Area) -> int:
        return area.children_total

    @admin.display(description=_("cases"), ordering="cases_total")
    def case_count(self, area: Area) -> int:
        return area.cases_total or 0

    @admin.display(description=_("active"), boolean=True)
    def is_active(self, area: Area) -> bool:
        return area.retired_at is None

    @admin.display(description=_("bounding box"))
    def bounding_box(self, area: Area) -> str:
        if area.min_lon is None:
            return "—"
        return f"{area.min_lon:.6f}, {area.min_lat:.6f} — {area.max_lon:.6f}, {area.max_lat:.6f}"

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        context["area_map"] = map_context(obj)
        return super().render_change_form(request, context, add, change, form_url, obj)

    def save_model(self, request: HttpRequest, obj: Area, form, change: bool) -> None:
        """A grid with cases whose boundary changes is redrawn: its old row keeps the cases."""
        if (
            change
            and obj.level == Level.GRID
            and "boundary" in form.changed_data
            and obj.retired_at is None
            and Case.objects.filter(grid_id=obj.pk).exists()
        ):
            old = Area.objects.get(pk=obj.pk)
            new = redraw_grid(
                old, name=obj.name, name_en=obj.name_en, boundary=obj.boundary, parent=obj.parent
            )
            obj.pk, obj.valid_from = new.pk, new.valid_from
            messages.info(
                request,
                gettext(
                    "Grid %(code)s was redrawn: its earlier boundary stays on a retired row "
                    "with the cases filed there; new cases route to the new boundary."
                )
                % {"code": obj.code},
            )
            return
        super().save_model(request, obj, form, change)

    # --- the GeoJSON import page ------------------------------------------------------------

    def get_urls(self):
        return [
            path(
                "import/",
                self.admin_site.admin_view(self.import_view),
                name="governance_area_import",
            ),
            *super().get_urls(),
        ]

    def import_view(self, request: HttpRequest) -> HttpResponse:
        if not (self.has_add_permission(request) and self.has_change_permission(request)):
            raise PermissionDenied
        form = AreaImportForm(request.POST or None, request.FILES or None)
        result = None
        if request.method == "POST" and form.is_valid():
            try:
                result = import_areas(
                    form.cleaned_data["file"], dry_run=form.cleaned_data["dry_run"]
                )
            except AreaImportError as error:
                form.add_error("file", str(error))
            else:
                if not result.ok:
                    form.add_error(
                        "file",
                        gettext("%(n)d bad feature(s); nothing was imported.")
                        % {"n": len(result.problems)},
                    )
                elif not result.dry_run:
                    messages.success(
                        request, gettext("Areas imported: %(s)s.") % {"s": result.summary()}
                    )
                    return HttpResponseRedirect(reverse("admin:governance_area_changelist"))
        context = {
            **self.admin_site.each_context(request),
            "title": gettext("Import areas from GeoJSON"),
            "opts": self.model._meta,
            "form": form,
            "result": result,
            "has_view_permission": True,
        }
        return TemplateResponse(request, "admin/governance/area/import.html", context)
