"""What an e-mail or SMS about a case says: one place composes every message a person can act
on, whoever reads it (staff, a reporter with an account, a reporter known only by a contact).

A message names the request (its category and tracking id, in the subject), says its status in
words and what happens next, quotes the change's note only when its audience takes in the
reader (never an internal one: the caller passes the note it may show), and carries a full
absolute link to the right page for the reader and a link to change what they receive
(preferences for an account, unsubscribe for a contact). The texts are templates under
`templates/citizens/mail/`; other kinds of messages reuse `compose` with their own lines.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _

from governance.models import Case
from governance.story import next_step
from notifications.models import status_label


def category_name(case: Case) -> str:
    """The case's category in the active language."""
    english = (translation.get_language() or "").startswith("en")
    return (english and case.category.name_en) or case.category.name


@dataclass(frozen=True)
class Composed:
    """One message, ready to send: the e-mail's subject, body and headers, and the SMS text."""

    subject: str
    body: str
    sms: str
    headers: dict[str, str] = field(default_factory=dict)


def compose(
    *,
    case: Case,
    language: str,
    headline: str,
    status: str,
    link: str,
    manage_link: str,
    unsubscribe: bool,
    note: str = "",
    extra_lines: tuple[str, ...] = (),
) -> Composed:
    """A message about `case` in `language`.

    `headline`: what happened, one line (the notification's title, or "request received").
    `note`: the change's note as the reader may read it ("" for none). `link`: the absolute
    address of the reader's page of the request. `manage_link`: where to change what they
    receive; `unsubscribe` says it stops these messages (a contact) rather than opening the
    preferences (an account), and adds the one-click unsubscribe headers.
    """
    with translation.override(language):
        manage = _("Stop these messages") if unsubscribe else _("Change what you receive")
        context = {
            "tracking_id": case.tracking_id,
            "category": category_name(case),
            "headline": headline,
            "named": case.tracking_id in headline,  # the subject names the request once
            "status": status_label(status),
            "next_step": next_step(status),
            "note": note.strip(),
            "link": link,
            "manage_link": manage_link,
            "manage_label": manage,
            "extra_lines": extra_lines,
            "unsubscribe": unsubscribe,
        }
        subject = " ".join(render_to_string("citizens/mail/case_subject.txt", context).split())
        body = render_to_string("citizens/mail/case_body.txt", context).strip() + "\n"
        sms = " ".join(render_to_string("citizens/mail/case_sms.txt", context).split())
    headers = {}
    if unsubscribe:
        headers = {
            "List-Unsubscribe": f"<{manage_link}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        }
    return Composed(subject=subject[:250], body=body, sms=sms, headers=headers)
