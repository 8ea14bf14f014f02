"""Keeping derived state in step: area permissions, the routing index, the per-process copies
of the calendar and the categories with their questions."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from governance import reference, routing, working_time
from governance.models import Area, Assignment, CalendarDay, Category, Level, Question
from governance.permissions import sync_area_permissions


@receiver([post_save, post_delete], sender=Assignment)
def assignment_changed(sender, instance: Assignment, **kwargs) -> None:
    sync_area_permissions(user_id=instance.user_id, area_id=instance.area_id)


@receiver([post_save, post_delete], sender=Area)
def area_changed(sender, instance: Area, **kwargs) -> None:
    if instance.level == Level.GRID:
        routing.areas_changed()


@receiver([post_save, post_delete], sender=CalendarDay)
def calendar_changed(sender, instance: CalendarDay, **kwargs) -> None:
    working_time.calendars.changed()


@receiver([post_save, post_delete], sender=Question)
def questions_changed(sender, instance: Question, **kwargs) -> None:
    reference.questions_copy.changed()


@receiver([post_save, post_delete], sender=Category)
def categories_changed(sender, instance: Category, **kwargs) -> None:
    reference.categories_copy.changed()
