"""Assignments grant django-guardian object permissions on areas.

A permission on an area holds for every area beneath it: scoped queries match the case's area
path against the paths of the areas the person holds the permission on. There is never a
permission row per case.
"""

from __future__ import annotations

from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.db import transaction

from governance.models import Area, AreaUserObjectPermission, Assignment
from governance.models.people import ROLE_PERMISSIONS

AREA_PERMISSIONS = sorted({codename for perms in ROLE_PERMISSIONS.values() for codename in perms})


def _area_permissions() -> dict[str, Permission]:
    content_type = ContentType.objects.get_for_model(Area)
    return {
        p.codename: p
        for p in Permission.objects.filter(content_type=content_type, codename__in=AREA_PERMISSIONS)
    }


def sync_area_permissions(*, user_id: int, area_id: int) -> None:
    """Make the person's object permissions on one area match their assignments there."""
    wanted = {
        codename
        for role in Assignment.objects.filter(user_id=user_id, area_id=area_id).values_list(
            "role", flat=True
        )
        for codename in ROLE_PERMISSIONS[role]
    }
    permissions = _area_permissions()
    with transaction.atomic():
        existing = AreaUserObjectPermission.objects.filter(
            user_id=user_id, content_object_id=area_id, permission__codename__in=AREA_PERMISSIONS
        )
        existing.exclude(permission__codename__in=wanted).delete()
        have = set(existing.values_list("permission__codename", flat=True))
        AreaUserObjectPermission.objects.bulk_create(
            [
                AreaUserObjectPermission(
                    user_id=user_id, content_object_id=area_id, permission=permissions[codename]
                )
                for codename in sorted(wanted - have)
            ]
        )
