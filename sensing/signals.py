"""Keep this process's datastream/device directory current after an admin or API change."""

from __future__ import annotations

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from sensing import directory
from sensing.models import Datastream, Device, Thing


@receiver(post_save, sender=Datastream)
@receiver(post_delete, sender=Datastream)
@receiver(post_save, sender=Device)
@receiver(post_delete, sender=Device)
@receiver(post_save, sender=Thing)
@receiver(post_delete, sender=Thing)
def _changed(sender, **kwargs) -> None:
    directory.forget()
