"""The API's limits: the same counters as the pages (`governance.limits`), as DRF throttles, so
a refusal is the API's usual 429 `{"detail", "code": "throttled"}` with Retry-After."""

from __future__ import annotations

from rest_framework.request import Request
from rest_framework.throttling import BaseThrottle
from rest_framework.views import APIView

from governance.access import area_paths
from governance.limits import Exceeded, hit_request


class Limit(BaseThrottle):
    """Counts the request per address and per account under `scope`."""

    scope = ""

    def scope_for(self, request: Request) -> str:
        return self.scope

    def allow_request(self, request: Request, view: APIView) -> bool:
        self.exceeded: Exceeded | None = hit_request(request, self.scope_for(request))
        return self.exceeded is None

    def wait(self) -> float | None:
        return self.exceeded.retry_after if self.exceeded else None


class FilingLimit(Limit):
    """Citizens' filings; officers filing for callers or from patrol have a larger allowance."""

    def scope_for(self, request: Request) -> str:
        user = request.user
        staff = user.is_authenticated and (user.is_superuser or area_paths(user, "report_cases"))
        return "staff_filing" if staff else "filing"


class SignInLimit(Limit):
    """Token requests per address, right or wrong (failures are also counted by axes)."""

    scope = "signin"
