"""Signing up without telling anyone which phone numbers and e-mails have accounts.

The sign-up page used to answer "an account with this phone number or e-mail already exists":
anyone could test numbers one by one. Now every well-formed sign-up gets the same answer —
"we sent you a message; enter its code" — and the difference goes only to the phone or inbox
itself: a six-digit code if the address is free, or a note that it already has an account
(with the way to sign in or reset the password) if it is taken. The account is created only
when the code comes back, from the same browser session, within CODE_MINUTES and
MAX_ATTEMPTS tries; a code can only be right for a free address.
"""

from __future__ import annotations

import secrets
from contextlib import suppress
from dataclasses import dataclass
from functools import cache

from django.contrib.auth.hashers import check_password, make_password
from django.contrib.sessions.backends.base import SessionBase
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from citizens.models import User
from notifications.sms import SmsUnavailable, gateway

SESSION_KEY = "pending_signup"
CODE_MINUTES = 15
MAX_ATTEMPTS = 5


@dataclass(frozen=True)
class SignUp:
    """What a person typed on the sign-up form, checked (login split into phone or e-mail)."""

    phone: str | None
    email: str | None
    display_name: str
    password: str


def _taken(phone: str | None, email: str | None) -> bool:
    login = phone or email
    accounts = User.objects.filter(username=login)
    accounts = accounts | (
        User.objects.filter(phone=phone) if phone else User.objects.filter(email=email)
    )
    return accounts.exists()


def _send(*, phone: str | None, email: str | None, text: str) -> None:
    if phone:
        # Unavailable: the person asks again; the page says the same either way.
        with suppress(SmsUnavailable):
            gateway().send(phone=phone, text=text)
    else:
        send_mail(_("Your sign-up"), text, None, [email], fail_silently=True)


def start_signup(*, session: SessionBase, signup: SignUp, sign_in_url: str) -> None:
    """Message the phone or e-mail and remember the pending sign-up in `session`.

    Both branches hash the password and send one message, so neither the answer nor its
    timing says whether the address was free.
    """
    password_hash = make_password(signup.password)
    code = f"{secrets.randbelow(10**6):06d}"
    taken = _taken(signup.phone, signup.email)
    if taken:
        text = _(
            "Someone tried to create an account with this phone number or e-mail, which "
            "already has one. If it was you, sign in or reset your password: %(url)s"
        ) % {"url": sign_in_url}
    else:
        text = _("Your sign-up code is %(code)s. It is valid for %(minutes)d minutes.") % {
            "code": code,
            "minutes": CODE_MINUTES,
        }
    _send(phone=signup.phone, email=signup.email, text=text)
    session[SESSION_KEY] = {
        "phone": signup.phone,
        "email": signup.email,
        "display_name": signup.display_name,
        "password": password_hash,
        # No code can be right for an address that already has an account.
        "code": None if taken else make_password(code),
        "expires": timezone.now().timestamp() + CODE_MINUTES * 60,
        "attempts": 0,
    }


@cache
def _stand_in() -> str:
    return make_password(secrets.token_urlsafe(16))


def pending(session: SessionBase) -> bool:
    data = session.get(SESSION_KEY)
    return bool(data) and data["expires"] > timezone.now().timestamp()


def page_language() -> str:
    """The active language as one of the site's (`settings.LANGUAGES`), for a person's
    preferred language."""
    from django.conf import settings
    from django.utils import translation

    language = translation.get_language() or settings.LANGUAGE_CODE
    known = dict(settings.LANGUAGES)
    return language if language in known else ("en" if language.startswith("en") else "zh-hans")


def confirm_signup(*, session: SessionBase, code: str) -> User | None:
    """The new account if `code` is the one sent for the pending sign-up; None otherwise.

    After MAX_ATTEMPTS wrong codes, or CODE_MINUTES, the pending sign-up is forgotten.
    """
    data = session.get(SESSION_KEY)
    if not data:
        return None
    data["attempts"] += 1
    if data["expires"] <= timezone.now().timestamp() or data["attempts"] > MAX_ATTEMPTS:
        del session[SESSION_KEY]
        return None
    session[SESSION_KEY] = data
    # A taken address has no code; it is checked against a stand-in, so it takes as long.
    right = check_password(code.strip(), data["code"] or _stand_in())
    if data["code"] is None or not right:
        return None
    del session[SESSION_KEY]
    try:
        with transaction.atomic():
            if _taken(data["phone"], data["email"]):
                return None
            user = User(
                username=data["phone"] or data["email"],
                phone=data["phone"],
                email=data["email"],
                display_name=data["display_name"],
                password=data["password"],
                preferred_language=page_language(),  # what they signed up in: e-mails too
            )
            user.save()
    except IntegrityError:  # taken at the same moment by another sign-up
        return None
    return user
