"""The one-click unsubscribe link of a case's contact (a caller or an anonymous reporter).

Every message to a contact — updates on their request, the satisfaction callback — carries it;
the token is signed, so it needs no row and no sign-in. The salt keeps its old name so links
already sent keep working.
"""

from __future__ import annotations

from django.core import signing

from governance.models import Case

UNSUBSCRIBE_SALT = "citizens.contact_updates.unsubscribe"


def unsubscribe_token(case: Case) -> str:
    """The token of `case`'s unsubscribe link."""
    return signing.dumps(case.pk, salt=UNSUBSCRIBE_SALT)


def case_of_unsubscribe_token(token: str) -> int | None:
    """The case id an unsubscribe token was made for, or None for a forged one."""
    try:
        value = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except signing.BadSignature:
        return None
    return value if isinstance(value, int) else None
