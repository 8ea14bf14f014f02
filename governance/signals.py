"""Keeping derived state in step: area permissions and the routing index."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from governance import routing
from governance.models import Area, Assignment, Level
from governance.permissions import sync_area_permissions


@receiver([post_save, post_delete], sender=Assignment)
def assignment_changed(sender, instance: Assignment, **kwargs) -> None:
    sync_area_permissions(user_id=instance.user_id, area_id=instance.area_id)


@receiver([post_save, post_delete], sender=Area)
def area_changed(sender, instance: Area, **kwargs) -> None:
    if instance.level == Level.GRID:
        routing.areas_changed()
