"""What a follower's mails link to, signed: the unsubscribe token (nothing stored, no sign-in)
and how long a confirmation link lasts. Below both the subscribing and the mails."""

from __future__ import annotations

from datetime import timedelta

from django.core import signing

from citizens.models import Subscription

CONFIRM_WITHIN = timedelta(days=7)
UNSUBSCRIBE_SALT = "citizens.following.unsubscribe"


def unsubscribe_token(subscription: Subscription) -> str:
    """The signed value in every mail's unsubscribe link."""
    return signing.dumps(subscription.pk, salt=UNSUBSCRIBE_SALT, compress=True)


def subscription_of(token: str) -> int | None:
    """The subscription an unsubscribe token names, or None for a token that is not ours."""
    try:
        return signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except signing.BadSignature:
        return None
