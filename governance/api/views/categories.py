"""Categories (what can be reported) with their extra questions."""

from __future__ import annotations

from rest_framework import permissions, viewsets

from governance.api.errors import SafeLookupMixin
from governance.api.serializers.categories import CategorySerializer
from governance.models import Category


class CategoryViewSet(SafeLookupMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = CategorySerializer
    permission_classes = [permissions.AllowAny]
    lookup_field = "code"
    lookup_value_regex = r"[^/]+"
    pagination_class = None

    def get_queryset(self):
        return (
            Category.objects.filter(active=True)
            .select_related("default_department")
            .prefetch_related("questions")
        )
