"""The notification centre's rows: what a person was told, and how they want to be told.

The tables keep the names they had when these models lived in `citizens` (`db_table`), so
databases made before the move keep their rows (migration `0001` only moves the state).
"""

from django.conf import settings
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


def status_label(code: str) -> str:
    """A case status's label in the active language (the code itself when unknown)."""
    from governance.models import Status  # here, not above: the apps' models load in any order

    try:
        return str(Status(code).label)
    except ValueError:
        return code


class NotificationKind(models.TextChoices):
    CASE_CREATED = "case_created", _("a new case in my area")
    STATUS_CHANGED = "status_changed", _("my request changed")
    DISPATCHED = "dispatched", _("a case dispatched to my department")
    ESCALATED = "escalated", _("a case escalated to me")
    DUE_SOON = "due_soon", _("a case nearing its time limit")
    OVERDUE = "overdue", _("a case past its time limit")
    FOLLOWED = "followed", _("a request I follow changed")
    AREA_ALERT = "area_alert", _("a request in my alert area")
    CALLBACK = "callback", _("a satisfaction callback about my request")
    CALLBACK_REVIEW = "callback_review", _("a citizen says a closed case is not resolved")
    EMERGENCY_NOTICE = "emergency_notice", _("an emergency notice")
    EMERGENCY_TASK = "emergency_task", _("a task of an emergency plan")
    VISIT_DUE = "visit_due", _("residents in my grid due a visit")


# A notification's title, by kind: rendered from its `params` when it is read, in the reader's
# language of that moment.
TITLES = {
    NotificationKind.CASE_CREATED: _("New case %(id)s: %(category)s"),
    NotificationKind.STATUS_CHANGED: _("Case %(id)s is now %(status)s"),
    NotificationKind.DISPATCHED: _("Case %(id)s was dispatched to your department"),
    NotificationKind.ESCALATED: _("Case %(id)s was escalated to you"),
    NotificationKind.DUE_SOON: _("Case %(id)s is nearing its time limit"),
    NotificationKind.OVERDUE: _("Case %(id)s is past its time limit"),
    NotificationKind.FOLLOWED: _("Request %(id)s you follow is now %(status)s"),
    NotificationKind.AREA_ALERT: _("Request %(id)s in your alert area: %(category)s, %(status)s"),
    NotificationKind.CALLBACK: _("Was request %(id)s resolved? Tell us"),
    NotificationKind.CALLBACK_REVIEW: _("Case %(id)s: the citizen says it is not resolved"),
    NotificationKind.EMERGENCY_NOTICE: _("Emergency notice: %(title)s"),
    NotificationKind.EMERGENCY_TASK: _("Emergency task: %(title)s"),
    NotificationKind.VISIT_DUE: _("Visits due: %(title)s"),
}


class Notification(models.Model):
    """What a person was told, read or not, and how far its e-mail and SMS got.

    The row is written in the same transaction as the change that caused it, so nothing is
    lost when Redis or the mail server is down: delivery is retried from the pending columns.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person"),
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    kind = models.CharField(_("kind"), max_length=20, choices=NotificationKind.choices)
    case = models.ForeignKey(
        "governance.Case",
        verbose_name=_("case"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    # The timeline entry it tells of (none for a notice that is not a case change): a relay
    # that delivers an entry again writes nothing twice (`notification_once`).
    event = models.ForeignKey(
        "governance.CaseEvent",
        verbose_name=_("timeline entry"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    title = models.CharField(_("title"), max_length=200)  # as written; shown when no `params`
    params = models.JSONField(
        _("parameters"),
        default=dict,
        blank=True,
        help_text=_("What the title is made of: tracking id, category, status."),
    )
    body = models.TextField(_("text"), blank=True)
    created_at = models.DateTimeField(_("at"), db_index=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    in_app = models.BooleanField(_("shown in the notification centre"), default=True)
    email_wanted = models.BooleanField(default=False)
    emailed_at = models.DateTimeField(null=True, blank=True)
    sms_wanted = models.BooleanField(default=False)
    texted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "citizens_notification"
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["event", "user", "kind"],
                name="notification_once",
                condition=models.Q(event__isnull=False),
            )
        ]
        indexes = [
            models.Index(fields=["user", "read_at"], name="notification_user_unread"),
            models.Index(
                fields=["created_at"],
                name="notification_pending",
                condition=models.Q(email_wanted=True, emailed_at__isnull=True)
                | models.Q(sms_wanted=True, texted_at__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return self.display_title

    @property
    def display_title(self) -> str:
        """The title in the active language, from the kind and `params`; rows written before
        they had `params` keep the title they were written with."""
        template = TITLES.get(self.kind)
        if not self.params or template is None:
            return self.title
        params = self.params
        english = (get_language() or "").startswith("en")
        category = (english and params.get("category_en")) or params.get("category", "")
        return str(template) % {
            "id": params.get("id", ""),
            "category": category,
            "status": status_label(params.get("status", "")),
            "title": (english and params.get("title_en")) or params.get("title", ""),
        }


class NotificationPreference(models.Model):
    """How a person wants to hear about one kind of event; no row means the defaults."""

    DEFAULTS = {"in_app": True, "email": False, "sms": False}
    # E-mail by default only for what a person would not want to miss.
    EMAIL_BY_DEFAULT = frozenset(
        {
            NotificationKind.STATUS_CHANGED,
            NotificationKind.ESCALATED,
            NotificationKind.OVERDUE,
            NotificationKind.FOLLOWED,  # asked for by the person: e-mailed unless they say no
            NotificationKind.AREA_ALERT,
            NotificationKind.CALLBACK,  # asked once per request: worth an e-mail
            NotificationKind.CALLBACK_REVIEW,
        }
    )

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person"),
        on_delete=models.CASCADE,
        related_name="notification_preferences",
    )
    kind = models.CharField(_("kind"), max_length=20, choices=NotificationKind.choices)
    in_app = models.BooleanField(_("in the notification centre"), default=True)
    email = models.BooleanField(_("by e-mail"), default=True)
    sms = models.BooleanField(_("by SMS"), default=False)

    class Meta:
        db_table = "citizens_notificationpreference"
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")
        constraints = [
            models.UniqueConstraint(fields=["user", "kind"], name="notification_preference_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.kind}"

    @classmethod
    def defaults_for(cls, kind: str) -> dict[str, bool]:
        return {**cls.DEFAULTS, "email": kind in cls.EMAIL_BY_DEFAULT}
