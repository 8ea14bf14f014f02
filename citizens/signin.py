"""The rules django-axes applies to failed sign-ins, on every path that signs in.

The pages (`/accounts/login/`), the admin (`/admin/login/`) and the API token all call
`authenticate` with the request, so one lockout covers them: after `AXES_FAILURE_LIMIT`
failures for one account or from one address (`governance.limits.client_address`), sign-in
waits `AXES_COOLOFF_TIME`. Attempts live in the database, so the lockout holds with Redis down.
"""

from __future__ import annotations

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username, get_cool_off
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Sum
from django.http import HttpRequest, HttpResponse, JsonResponse

from citizens.backends import find_account
from governance.limits import lockout_message
from governance.web.limited import too_many


def account_key(request: HttpRequest, credentials: dict | None) -> str | None:
    """What the lockout counts per account: the username of the account that a typed username,
    phone number or e-mail names (so each reaches the same counter), else what was typed."""
    typed = str((credentials or {}).get("username") or "").strip()
    if not typed:
        return None
    user = find_account(typed)
    return user.get_username() if user is not None else typed.lower()[:150]


def cool_off_seconds(request: HttpRequest | None = None) -> int:
    cool_off = get_cool_off(request)
    return int(cool_off.total_seconds()) if cool_off else 0


def locked_out(
    request: HttpRequest, original_response: HttpResponse | None, credentials: dict | None
) -> HttpResponse:
    """The answer to a locked-out sign-in: 429 with Retry-After, a page or API JSON."""
    seconds = cool_off_seconds(request)
    message = lockout_message(seconds)
    if request.path.startswith("/api/"):
        response: HttpResponse = JsonResponse({"detail": message, "code": "throttled"}, status=429)
        response["Retry-After"] = str(seconds)
        return response
    return too_many(request, message, seconds)


class SignInAttempts(AxesDatabaseHandler):
    """Axes' database handler with two changes.

    An address gets its own, larger allowance (`SIGNIN_ADDRESS_FAILURE_LIMIT`): many people
    share one address behind a carrier's NAT, so it may not lock as soon as one account does.
    Axes compares one figure with `AXES_FAILURE_LIMIT`; the address's failures are scaled to it.

    A successful sign-in clears that account's failures only. (Axes would also clear every
    failure from the address, so an attacker could sign in to an account of their own between
    guesses and never reach the limit.)
    """

    def get_failures(self, request: HttpRequest, credentials: dict | None = None) -> int:
        by_account, by_address = (
            attempts.aggregate(n=Sum("failures_since_start"))["n"] or 0
            for attempts in self.get_user_attempts(request, credentials)
        )
        account_limit = settings.AXES_FAILURE_LIMIT
        address_limit = settings.SIGNIN_ADDRESS_FAILURE_LIMIT
        return max(by_account, by_address * account_limit // address_limit)

    def reset_user_attempts(self, request: HttpRequest, credentials: dict | None = None) -> int:
        username = get_client_username(request, credentials)
        if not username:
            return 0
        count, _ = AccessAttempt.objects.filter(username=username).delete()
        return count
