"""People: one account model for citizens, officers and department staff alike."""

from django.contrib.auth.models import AbstractUser, UserManager
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

phone_validator = RegexValidator(
    r"^\+?\d{6,15}$", _("Enter a phone number of 6 to 15 digits, optionally starting with +.")
)


class User(AbstractUser):
    """An account. Citizens sign in with a phone number or an e-mail address."""

    phone = models.CharField(
        _("phone"), max_length=16, blank=True, null=True, unique=True, validators=[phone_validator]
    )
    email = models.EmailField(_("e-mail address"), blank=True, null=True, unique=True)
    display_name = models.CharField(_("display name"), max_length=80, blank=True)
    preferred_language = models.CharField(
        _("preferred language"),
        max_length=10,
        default="zh-hans",
        choices=[("zh-hans", "简体中文"), ("en", "English")],
    )

    objects = UserManager()

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")

    def __str__(self) -> str:
        return self.display_name or self.username

    def save(self, *args, **kwargs):
        # Empty strings would collide under the unique constraints; store "no value" as NULL.
        self.phone = self.phone or None
        self.email = (self.email or "").strip().lower() or None
        super().save(*args, **kwargs)


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
}


class Notification(models.Model):
    """What a person was told, read or not, and how far its e-mail and SMS got.

    The row is written in the same transaction as the change that caused it, so nothing is
    lost when Redis or the mail server is down: delivery is retried from the pending columns.
    """

    user = models.ForeignKey(
        User, verbose_name=_("person"), on_delete=models.CASCADE, related_name="notifications"
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
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-pk"]
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
        }


def status_label(code: str) -> str:
    """A case status's label in the active language (the code itself when unknown)."""
    from governance.models import Status  # here, not above: the apps' models load in any order

    try:
        return str(Status(code).label)
    except ValueError:
        return code


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
        User,
        verbose_name=_("person"),
        on_delete=models.CASCADE,
        related_name="notification_preferences",
    )
    kind = models.CharField(_("kind"), max_length=20, choices=NotificationKind.choices)
    in_app = models.BooleanField(_("in the notification centre"), default=True)
    email = models.BooleanField(_("by e-mail"), default=True)
    sms = models.BooleanField(_("by SMS"), default=False)

    class Meta:
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


class ContactMessage(models.Model):
    """What an anonymous reporter's contact (or a hotline caller's) is told about their case:
    the confirmation of filing, then each change they would hear of with an account.

    Written in the change's transaction like a `Notification`; its e-mail and SMS are each
    sent at most once (claimed by the sent-at columns) after commit, through the outbox.
    """

    class Kind(models.TextChoices):
        CONFIRMATION = "confirmation", _("confirmation of filing")
        UPDATE = "update", _("status update")
        LINK = "link", _("a fresh link")

    case = models.ForeignKey(
        "governance.Case",
        verbose_name=_("case"),
        on_delete=models.CASCADE,
        related_name="contact_messages",
    )
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    status = models.CharField(_("status"), max_length=12)  # the case's status it tells of
    note = models.TextField(_("text"), blank=True)  # the change's note, never an internal one
    created_at = models.DateTimeField(_("at"))
    email_wanted = models.BooleanField(default=False)
    emailed_at = models.DateTimeField(null=True, blank=True)
    sms_wanted = models.BooleanField(default=False)
    texted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("message to a reporter's contact")
        verbose_name_plural = _("messages to reporters' contacts")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(
                fields=["created_at"],
                name="contact_message_pending",
                condition=models.Q(email_wanted=True, emailed_at__isnull=True)
                | models.Q(sms_wanted=True, texted_at__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} · {self.case_id}"


class ReporterLink(models.Model):
    """A one-time link to a case's reporter view, sent to its contact: only the token's
    SHA-256 is kept; using it (or its expiry) ends it."""

    case = models.ForeignKey(
        "governance.Case",
        verbose_name=_("case"),
        on_delete=models.CASCADE,
        related_name="reporter_links",
    )
    token_hash = models.CharField(max_length=64, unique=True)
    channel = models.CharField(_("sent by"), max_length=8)  # email / sms
    created_at = models.DateTimeField(_("at"))
    expires_at = models.DateTimeField(_("expires at"))
    used_at = models.DateTimeField(_("used at"), null=True, blank=True)

    class Meta:
        verbose_name = _("reporter's one-time link")
        verbose_name_plural = _("reporters' one-time links")

    def __str__(self) -> str:
        return f"link to {self.case_id}"


# --- following a request, and area alerts ---------------------------------------------------


class SubscriptionTarget(models.TextChoices):
    CASE = "case", _("a request")
    AREA = "area", _("an area")
    CIRCLE = "circle", _("a circle on the map")


class SubscriptionSource(models.TextChoices):
    PAGE = "page", _("the request's public page")
    DUPLICATE_HINT = "duplicate", _("the duplicate hint while reporting")
    SETTINGS = "settings", _("the alert settings")


# Exactly one live (not ended) subscription per person or address and per thing followed.
_LIVE = models.Q(ended_at__isnull=True)
_BY_ACCOUNT = _LIVE & models.Q(user__isnull=False)
_BY_EMAIL = _LIVE & models.Q(user__isnull=True)


class Subscription(models.Model):
    """Someone following a request ("me too") or the requests of an area (an area alert).

    Who: an account, or an e-mail address confirmed through a link (`confirmed_at`; an
    account's subscription is confirmed when made). What: a case, a community of the area tree
    (`area_path` copied for a prefix match), or a circle (centre, radius, and its bounding box,
    so matching a case is an indexed range query). Only the hash of the confirmation token is
    kept; the unsubscribe links are signed (`citizens.following.unsubscribe_url`), nothing
    stored. `site`: the address it was made at, for absolute links in later e-mails.
    """

    user = models.ForeignKey(
        User,
        verbose_name=_("person"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="subscriptions",
    )
    email = models.EmailField(_("e-mail address"), blank=True)
    target = models.CharField(_("follows"), max_length=8, choices=SubscriptionTarget.choices)
    case = models.ForeignKey(
        "governance.Case",
        verbose_name=_("case"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="subscriptions",
    )
    area = models.ForeignKey(
        "governance.Area",
        verbose_name=_("area"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    area_path = models.CharField(max_length=80, blank=True)
    lon = models.FloatField(_("longitude"), null=True, blank=True)
    lat = models.FloatField(_("latitude"), null=True, blank=True)
    radius_m = models.PositiveIntegerField(_("radius (m)"), null=True, blank=True)
    min_lon = models.FloatField(null=True, blank=True)
    max_lon = models.FloatField(null=True, blank=True)
    min_lat = models.FloatField(null=True, blank=True)
    max_lat = models.FloatField(null=True, blank=True)
    source = models.CharField(
        _("made from"),
        max_length=10,
        choices=SubscriptionSource.choices,
        default=SubscriptionSource.PAGE,
    )
    language = models.CharField(_("language"), max_length=10, default="zh-hans")
    site = models.CharField(max_length=200, blank=True)
    token_hash = models.CharField(max_length=64, blank=True, db_index=True)
    confirmation_sent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(_("created at"))
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)

    class Meta:
        verbose_name = _("subscription")
        verbose_name_plural = _("subscriptions")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(user__isnull=False) | ~models.Q(email=""),
                name="subscription_has_someone",
            ),
            models.UniqueConstraint(
                fields=["user", "case"],
                condition=_BY_ACCOUNT & models.Q(target="case"),
                name="subscription_account_case",
            ),
            models.UniqueConstraint(
                fields=["email", "case"],
                condition=_BY_EMAIL & models.Q(target="case"),
                name="subscription_email_case",
            ),
            models.UniqueConstraint(
                fields=["user", "area"],
                condition=_BY_ACCOUNT & models.Q(target="area"),
                name="subscription_account_area",
            ),
            models.UniqueConstraint(
                fields=["email", "area"],
                condition=_BY_EMAIL & models.Q(target="area"),
                name="subscription_email_area",
            ),
            models.UniqueConstraint(
                fields=["user", "lon", "lat", "radius_m"],
                condition=_BY_ACCOUNT & models.Q(target="circle"),
                name="subscription_account_circle",
            ),
            models.UniqueConstraint(
                fields=["email", "lon", "lat", "radius_m"],
                condition=_BY_EMAIL & models.Q(target="circle"),
                name="subscription_email_circle",
            ),
        ]
        indexes = [
            models.Index(
                fields=["case"],
                name="subscription_live_case",
                condition=_LIVE & models.Q(confirmed_at__isnull=False, target="case"),
            ),
            models.Index(
                fields=["area_path"],
                name="subscription_live_area",
                condition=_LIVE & models.Q(confirmed_at__isnull=False, target="area"),
            ),
            models.Index(  # a band of latitude (5 km at most) around a point, then its box
                fields=["lat", "lon"],
                name="subscription_live_circle",
                condition=_LIVE & models.Q(confirmed_at__isnull=False, target="circle"),
            ),
        ]

    def __str__(self) -> str:
        who = self.user or self.email
        return f"{who} · {self.get_target_display()}"

    @property
    def address(self) -> str:
        """Where its e-mail goes: the account's address, or the confirmed one."""
        return (self.user.email or "") if self.user_id else self.email

    @property
    def is_live(self) -> bool:
        return self.ended_at is None and self.confirmed_at is not None


class Alert(models.Model):
    """One timeline entry told to one subscription: at most once (unique), sent once (the
    `sent_at` claim), written by the fan-out task and retried from here if a send failed."""

    subscription = models.ForeignKey(Subscription, on_delete=models.CASCADE, related_name="alerts")
    event = models.ForeignKey("governance.CaseEvent", on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("alert")
        verbose_name_plural = _("alerts")
        constraints = [models.UniqueConstraint(fields=["subscription", "event"], name="alert_once")]
        indexes = [
            models.Index(
                fields=["created_at"],
                name="alert_pending",
                condition=models.Q(sent_at__isnull=True),
            )
        ]

    def __str__(self) -> str:
        return f"{self.subscription_id} · {self.event_id}"
