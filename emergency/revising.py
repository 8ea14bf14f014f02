"""Updating and cancelling a public notice (CAP 1.2 `Update` / `Cancel`).

A public notice is never changed once sent: `update_notice` and `cancel_notice` send a new
notice with `msg_type` Update or Cancel and `references` = the earlier one, to the earlier
one's target and everybody the earlier one reached, through the same sending path
(`notices.send_notice`: its recipients are told in the site, by e-mail and by SMS; on an
incident, a timeline entry). The earlier one is then no
longer chased by the resend sweep (`resending`), and its CAP document's successor carries
`references` = "sender,identifier,sent" of the chain before it (`cap.alerts.references`).

Who may: whoever may manage the earlier notice (`notice_access.may_manage_notice`: its sender
while they still dispatch for its areas, whoever manages its incident, administrators). Only
the latest notice of a chain is updated or cancelled, and a cancelled one stays cancelled:
two people revising the same alert at once — the second is refused (the row is locked).
"""

from __future__ import annotations

from datetime import datetime

from django.contrib.auth.models import AbstractUser
from django.db import transaction
from django.utils.translation import gettext as _

from emergency.models import Answer, MessageType, Notice
from emergency.notice_access import may_manage_notice
from emergency.notices import send_notice
from governance.errors import InvalidInput, NotPermitted

CANCELLED_PREFIX = "已取消："
CANCELLED_PREFIX_EN = "CANCELLED: "


def revisable(notice: Notice) -> bool:
    """Whether the notice is a public one that can still be updated or cancelled (whoever)."""
    return (
        notice.public
        and notice.msg_type != MessageType.CANCEL
        and not Notice.objects.filter(references=notice).exists()
    )


def may_revise(user: AbstractUser, notice: Notice) -> bool:
    return revisable(notice) and may_manage_notice(user, notice)


def _locked(notice: Notice, by: AbstractUser) -> Notice:
    """The earlier notice, locked for this transaction, after the checks."""
    if not may_manage_notice(by, notice):
        raise NotPermitted(_("You may only update or cancel notices you may send."))
    earlier = Notice.objects.select_for_update().get(pk=notice.pk)
    if not earlier.public:
        raise InvalidInput({"notice": [_("Only a public notice can be updated or cancelled.")]})
    if earlier.msg_type == MessageType.CANCEL:
        raise InvalidInput({"notice": [_("A cancellation cannot be updated or cancelled.")]})
    if Notice.objects.filter(references=earlier).exists():
        raise InvalidInput(
            {"notice": [_("This notice has been updated or cancelled since: revise the latest.")]}
        )
    return earlier


def update_notice(
    notice: Notice,
    by: AbstractUser,
    *,
    title: str | None = None,
    body: str | None = None,
    title_en: str | None = None,
    body_en: str | None = None,
    instruction: str | None = None,
    instruction_en: str | None = None,
    severity: str | None = None,
    urgency: str | None = None,
    certainty: str | None = None,
    expires_at: datetime | None = None,
) -> Notice:
    """Send an update of a public notice (what is not given is kept); returns the update."""

    def given(value, kept):
        return kept if value is None else value

    with transaction.atomic():
        earlier = _locked(notice, by)
        return send_notice(
            sender=by,
            incident=earlier.incident,
            target=earlier.target,
            title=given(title, earlier.title),
            title_en=given(title_en, earlier.title_en),
            body=given(body, earlier.body),
            body_en=given(body_en, earlier.body_en),
            instruction=given(instruction, earlier.instruction),
            instruction_en=given(instruction_en, earlier.instruction_en),
            options=list(earlier.options),
            public=True,
            severity=given(severity, earlier.severity),
            urgency=given(urgency, earlier.urgency),
            certainty=given(certainty, earlier.certainty),
            expires_at=given(expires_at, earlier.expires_at),
            resend_after=earlier.resend_after,
            resends=earlier.resends,
            msg_type=MessageType.UPDATE,
            references=earlier,
        )


def cancel_notice(notice: Notice, by: AbstractUser, reason: str = "") -> Notice:
    """Cancel a public notice: its recipients are told it is cancelled (and why); returns the
    cancellation. Nobody is chased for an answer to a cancellation."""
    reason = (reason or "").strip()
    if len(reason) > 2000:
        raise InvalidInput({"reason": [_("At most 2000 characters.")]})
    with transaction.atomic():
        earlier = _locked(notice, by)
        title_en = earlier.title_en or earlier.title
        body = f"「{earlier.title}」已取消。"
        body_en = f"“{title_en}” is cancelled."
        if reason:
            body, body_en = f"{body}\n\n{reason}", f"{body_en}\n\n{reason}"
        return send_notice(
            sender=by,
            incident=earlier.incident,
            target=earlier.target,
            title=(CANCELLED_PREFIX + earlier.title)[:200],
            title_en=(CANCELLED_PREFIX_EN + title_en)[:200],
            body=body,
            body_en=body_en,
            options=[Answer.RECEIVED.value],
            public=True,
            severity=earlier.severity,
            urgency=earlier.urgency,
            certainty=earlier.certainty,
            expires_at=earlier.expires_at,
            resend_after=earlier.resend_after,
            resends=0,
            msg_type=MessageType.CANCEL,
            references=earlier,
        )
