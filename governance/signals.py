"""Keeping derived state in step: area permissions, the routing index, remembered scopes, and
the per-process copies of reference data (`governance.reference`, the calendar)."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver
from rest_framework.authtoken.models import Token

from governance import reference, routing, working_time
from governance.api_tokens import token_deleted
from governance.cached_users import user_changed
from governance.models import (
    Area,
    AreaGroupObjectPermission,
    AreaUserObjectPermission,
    Assignment,
    CalendarDay,
    Category,
    Department,
    Level,
    Question,
    SavedFilter,
    SharingGrant,
)
from governance.permissions import sync_area_permissions
from governance.saved_filters import forget_saved_filters
from governance.scope import forget_scopes


@receiver([post_save, post_delete], sender=Assignment)
def assignment_changed(sender, instance: Assignment, **kwargs) -> None:
    sync_area_permissions(user_id=instance.user_id, area_id=instance.area_id)


@receiver([post_save, post_delete], sender=Area)
def area_changed(sender, instance: Area, **kwargs) -> None:
    if instance.level == Level.GRID:
        routing.areas_changed()


def scope_source_changed(sender, **kwargs) -> None:
    """A person's scope read earlier in this request may be out of date: read it again."""
    forget_scopes()


for _model in (
    Assignment,
    AreaUserObjectPermission,
    AreaGroupObjectPermission,
    Department,
    Area,
    SharingGrant,
):
    post_save.connect(scope_source_changed, sender=_model, dispatch_uid=f"scope-{_model.__name__}")
    post_delete.connect(
        scope_source_changed, sender=_model, dispatch_uid=f"scope-d-{_model.__name__}"
    )
# Department membership (a person's groups) and a grant's categories.
m2m_changed.connect(
    scope_source_changed, sender=get_user_model().groups.through, dispatch_uid="scope-groups"
)
m2m_changed.connect(
    scope_source_changed, sender=SharingGrant.categories.through, dispatch_uid="scope-categories"
)


@receiver([post_save, post_delete], sender=CalendarDay)
def calendar_changed(sender, instance: CalendarDay, **kwargs) -> None:
    working_time.calendars.changed()


@receiver([post_save, post_delete], sender=Question)
def questions_changed(sender, instance: Question, **kwargs) -> None:
    reference.questions_copy.changed()


@receiver([post_save, post_delete], sender=Category)
def categories_changed(sender, instance: Category, **kwargs) -> None:
    reference.categories_copy.changed()


@receiver([post_save, post_delete], sender=Department)
def departments_changed(sender, instance: Department, **kwargs) -> None:
    reference.departments_copy.changed()


@receiver([post_save, post_delete], sender=SavedFilter)
def saved_filter_changed(sender, instance: SavedFilter, **kwargs) -> None:
    forget_saved_filters(instance.owner_id)


# A person's cached account (`governance.cached_users`): dropped whenever it is saved or deleted.
post_save.connect(user_changed, sender=settings.AUTH_USER_MODEL, dispatch_uid="cached-user")
post_delete.connect(user_changed, sender=settings.AUTH_USER_MODEL, dispatch_uid="cached-user-d")
# An API token's cached account (`governance.api_tokens`): dropped when the token is deleted.
post_delete.connect(token_deleted, sender=Token, dispatch_uid="cached-token")
