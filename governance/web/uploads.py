"""A form field for several photos at once (the workflow cleans and limits them)."""

from __future__ import annotations

from django import forms
from django.utils.functional import lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from governance.attachments import MAX_PER_CASE

PHOTO_TYPES = "image/jpeg,image/png,image/webp"


def _photo_text() -> str:
    return gettext("Up to %(n)d photos (JPEG, PNG or WebP).") % {"n": MAX_PER_CASE}


_photo_help = lazy(_photo_text, str)  # translated when shown, not when the form is defined


class MultiplePhotoInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class PhotosField(forms.FileField):
    """Zero to six files; type, size and metadata are checked by governance.attachments."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault(
            "widget", MultiplePhotoInput(attrs={"accept": PHOTO_TYPES, "multiple": True})
        )
        kwargs.setdefault("help_text", _photo_help())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else ([data] if data else [])
        files = [f for f in files if f]
        if self.required and not files:
            raise forms.ValidationError(self.error_messages["required"], code="required")
        if len(files) > MAX_PER_CASE:
            raise forms.ValidationError(
                _("At most %(n)d photos.") % {"n": MAX_PER_CASE}, code="too_many"
            )
        return files
