"""What staff keep to work faster: their saved queue filters and the response templates.

A saved filter belongs to one person and is only ever read through its owner. A response
template is kept by administrators and written for one audience (`Audience`): the picker on
the case page offers it only for a field whose readers it fits (`governance.templates`).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from governance.models.case import Audience
from governance.models.category import Category


class SavedFilter(models.Model):
    """A named queue filter (its query string), one tap away above the queue."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person"),
        on_delete=models.CASCADE,
        related_name="saved_filters",
    )
    name = models.CharField(_("name"), max_length=60)
    query = models.CharField(_("filter"), max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("saved filter")
        verbose_name_plural = _("saved filters")
        ordering = ["name", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["owner", "name"], name="saved_filter_unique_name"),
        ]

    def __str__(self) -> str:
        return self.name


class TemplateAction(models.TextChoices):
    """The action forms a template fits (their note, reason or public summary)."""

    ANY = "", _("any action")
    FILE = "file", _("accept")
    REJECT = "reject", _("reject")
    MERGE = "merge", _("merge")
    DISPATCH = "dispatch", _("dispatch")
    START = "start", _("start handling")
    RESOLVE = "resolve", _("resolve")
    CLOSE = "close", _("verify and close")
    REWORK = "rework", _("send back for rework")
    ESCALATE = "escalate", _("escalate")
    NOTE = "note", _("note")


class ResponseTemplate(models.Model):
    """A prepared text for a staff field: for a category (or all) and an action (or any),
    written for one audience, in Chinese and English."""

    title = models.CharField(_("title"), max_length=100)
    text = models.TextField(_("text (Chinese)"), max_length=2000)
    text_en = models.TextField(_("text (English)"), max_length=2000, blank=True)
    category = models.ForeignKey(
        Category,
        verbose_name=_("category"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="response_templates",
        help_text=_("Empty: offered for every category."),
    )
    action = models.CharField(
        _("action"), max_length=20, choices=TemplateAction.choices, blank=True, default=""
    )
    audience = models.CharField(
        _("written for"),
        max_length=10,
        choices=Audience.choices,
        default=Audience.INTERNAL,
        help_text=_(
            "Offered only in fields read by this audience or a narrower one: an internal text "
            "never in a field the reporter or the public reads."
        ),
    )
    active = models.BooleanField(_("active"), default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("response template")
        verbose_name_plural = _("response templates")
        ordering = ["title", "pk"]

    def __str__(self) -> str:
        return self.title

    def text_in(self, language: str | None = None) -> str:
        """The text in `language` (default: the active one): English when asked and written."""
        language = language or get_language() or "zh-hans"
        return self.text_en if language.startswith("en") and self.text_en else self.text
