"""The permission table: persona × endpoint → the expected answer.

Answers:
    ALLOWED    2xx, and personal data shown where the endpoint has any (own or permitted)
    REDACTED   2xx, but no contact and no exact private location
    REFUSED    401/403/404, with a body that says nothing about the case
    FORBIDDEN  403: the person sees the case but may not take this action
    a set      list endpoints: exactly these scenario cases are listed (nothing else leaks)

Pages (the `PAGES` table) use the same personas; the pages helper adds rows there.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

ALLOWED, REDACTED, REFUSED, FORBIDDEN = "allowed", "redacted", "refused", "forbidden"

PERSONAS = [
    "anonymous",
    "citizen",
    "other_citizen",
    "officer_a",
    "officer_b",
    "street_leader",
    "dispatcher",
    "clerk",
    "granted_clerk",
    "granted_clerk_pd",
    "admin",
]

A, A2, B, P = "case_a", "case_a2", "case_b", "private_case"
FORMATS = ("json", "xml")
EVERY = {A, A2, B, P}


@dataclass(frozen=True)
class Endpoint:
    name: str
    method: str
    path: str  # {case_a} etc. are filled with tracking ids
    expected: dict[str, object]
    data: dict = field(default_factory=dict)
    pii_case: str | None = None  # whose personal data may appear (to PD_SEERS only)
    shows_pii: bool = False  # ALLOWED must show it (detail views)
    # Pages only:
    setup: str | None = None  # a state to put the scenario in first (see test_matrix.SETUPS)
    changes: str | None = None  # POST: what ALLOWED changes (and nothing else may)
    public: bool = False  # the anonymised public record: tracking ids shown to all
    counts: bool = False  # per-status counts shown: they must match the cases listed


def _row(default: object, **answers: object) -> dict[str, object]:
    return {persona: answers.get(persona, default) for persona in PERSONAS}


# Who sees which scenario case at all (VIEW), and with personal data.
VIEWS = _row(
    set(),
    citizen={A, A2, P},
    other_citizen={B},
    officer_a={A, P},
    officer_b={B},
    street_leader={A, A2, P},
    dispatcher=EVERY,
    clerk={A2},
    granted_clerk={A, A2, P},
    granted_clerk_pd={A, A2, P},
    admin=EVERY,
)

CASE_A_DETAIL = _row(
    REFUSED,
    citizen=ALLOWED,
    officer_a=REDACTED,
    street_leader=ALLOWED,
    dispatcher=ALLOWED,
    granted_clerk=REDACTED,
    granted_clerk_pd=ALLOWED,
    admin=ALLOWED,
)
CASE_B_DETAIL = _row(
    REFUSED, other_citizen=ALLOWED, officer_b=REDACTED, dispatcher=ALLOWED, admin=ALLOWED
)
CASE_A2_DETAIL = _row(
    REFUSED,
    citizen=ALLOWED,
    street_leader=ALLOWED,
    dispatcher=ALLOWED,
    clerk=REDACTED,
    granted_clerk=REDACTED,
    granted_clerk_pd=ALLOWED,
    admin=ALLOWED,
)
SEES_A = {p for p, v in CASE_A_DETAIL.items() if v != REFUSED}

# Who may see each case's personal data (contact, exact private location).
PD_SEERS = {
    A: {"citizen", "street_leader", "dispatcher", "granted_clerk_pd", "admin"},
    A2: {"citizen", "street_leader", "dispatcher", "granted_clerk_pd", "admin"},
    B: {"other_citizen", "dispatcher", "admin"},
    P: {"citizen", "street_leader", "dispatcher", "granted_clerk_pd", "admin"},
}


def _acting(allowed: set[str]) -> dict[str, object]:
    """A transition on case A: allowed, 403 for who sees it but may not, 404 for the rest."""
    return {
        p: ALLOWED if p in allowed else (FORBIDDEN if p in SEES_A else REFUSED) for p in PERSONAS
    }


ENDPOINTS = [
    Endpoint("case list", "GET", "/api/v1/cases/", VIEWS),
    Endpoint("case list, open", "GET", "/api/v1/cases/?status=open&status=&category=", VIEWS),
    Endpoint(
        "search by id of case B",
        "GET",
        "/api/v1/cases/?q={case_b}",
        {p: ({B} if B in v else set()) for p, v in VIEWS.items()},
    ),
    Endpoint(
        "filter by grid A",
        "GET",
        "/api/v1/cases/?grid=339901001001001",
        {p: v & {A, P} for p, v in VIEWS.items()},
    ),
    Endpoint(
        "case A detail", "GET", "/api/v1/cases/{case_a}/", CASE_A_DETAIL, pii_case=A, shows_pii=True
    ),
    Endpoint(
        "case A2 detail",
        "GET",
        "/api/v1/cases/{case_a2}/",
        CASE_A2_DETAIL,
        pii_case=A2,
        shows_pii=True,
    ),
    Endpoint(
        "case B detail", "GET", "/api/v1/cases/{case_b}/", CASE_B_DETAIL, pii_case=B, shows_pii=True
    ),
    Endpoint(
        "private case detail",
        "GET",
        "/api/v1/cases/{private_case}/",
        CASE_A_DETAIL,
        pii_case=P,
        shows_pii=True,
    ),
    Endpoint(
        "case A timeline",
        "GET",
        "/api/v1/cases/{case_a}/timeline/",
        {p: ALLOWED if p in SEES_A else REFUSED for p in PERSONAS},
    ),
    Endpoint(
        "case A attachments",
        "GET",
        "/api/v1/cases/{case_a}/attachments/",
        {p: ALLOWED if p in SEES_A else REFUSED for p in PERSONAS},
    ),
    Endpoint(
        "accept case A",
        "POST",
        "/api/v1/cases/{case_a}/file/",
        _acting({"street_leader", "dispatcher", "admin"}),
        pii_case=A,
    ),
    Endpoint(
        "reject case A",
        "POST",
        "/api/v1/cases/{case_a}/reject/",
        _acting({"street_leader", "dispatcher", "admin"}),
        data={"reason": "不属实"},
        pii_case=A,
    ),
    Endpoint(
        "withdraw case A",
        "POST",
        "/api/v1/cases/{case_a}/withdraw/",
        _acting({"citizen"}),  # only the reporter, not even an administrator
        pii_case=A,
    ),
    Endpoint(
        "escalate case A",
        "POST",
        "/api/v1/cases/{case_a}/escalate/",
        _acting({"street_leader", "admin"}),
        data={"reason": "久拖未决"},
        pii_case=A,
    ),
    Endpoint(
        "start case A2 (dispatched to the clerk's department)",
        "POST",
        "/api/v1/cases/{case_a2}/start/",
        {
            p: ALLOWED
            if p in {"clerk", "admin"}
            else (FORBIDDEN if CASE_A2_DETAIL[p] != REFUSED else REFUSED)
            for p in PERSONAS
        },
        pii_case=A2,
    ),
    Endpoint(
        "note on case A",
        "POST",
        "/api/v1/cases/{case_a}/notes/",
        _acting(SEES_A),
        data={"text": "补充", "audience": "internal"},
        pii_case=A,
    ),
    Endpoint(
        "me",
        "GET",
        "/api/v1/me/",
        {p: REFUSED if p == "anonymous" else ALLOWED for p in PERSONAS},
        pii_case="self",
    ),
    Endpoint(
        "my access log",
        "GET",
        "/api/v1/me/access-log/",
        {p: REFUSED if p == "anonymous" else ALLOWED for p in PERSONAS},
    ),
    Endpoint("open311 case A", "GET", "/open311/v2/requests/{case_a}.json", _row(REDACTED)),
    Endpoint(
        "open311 private case", "GET", "/open311/v2/requests/{private_case}.xml", _row(REDACTED)
    ),
    Endpoint("open311 requests", "GET", "/open311/v2/requests.json", _row(REDACTED)),
    Endpoint("export CSV", "GET", "/api/v1/exports/cases.csv", _row(REDACTED)),
    Endpoint("export GeoJSON", "GET", "/api/v1/exports/cases.geojson", _row(REDACTED)),
]

# --- Pages ----------------------------------------------------------------------------------
# The server-rendered pages and their actions, persona × page → the expected answer.
#
# REFUSED on a page: anonymous → the sign-in redirect where the view requires sign-in (else
# 404); everyone else 403 or 404, with a 404 identical to that of an unknown tracking id.
# IGNORED (POST only): the view answers with its usual redirect but changes nothing.
# A POST not ALLOWED must leave every scenario case (status, escalation, rating, events)
# unchanged. On every page but the public record, the tracking id and description of a case
# the persona may not see never appear.

IGNORED = "ignored"

SIGNED_IN = {p: REFUSED if p == "anonymous" else ALLOWED for p in PERSONAS}
SEES_A_ONLY = {p: ALLOWED if p in SEES_A else REFUSED for p in PERSONAS}
SEES_A_STAFF = SEES_A - {"citizen"}  # who sees case A's internal notes
MAY_FILE = {"officer_a", "officer_b", "street_leader", "dispatcher", "admin"}
MAY_FILE_IN_A = {"officer_a", "street_leader", "dispatcher", "admin"}
MAY_OVERVIEW = {"street_leader", "dispatcher", "admin"}


def _own(reporter: str) -> dict[str, object]:
    """A citizen page of one request: its reporter only (not even an administrator)."""
    return {p: ALLOWED if p == reporter else REFUSED for p in PERSONAS}


def _queue() -> dict[str, object]:
    return {p: REFUSED if p == "anonymous" else v for p, v in VIEWS.items()}


def _bulk(allowed: set[str]) -> dict[str, object]:
    return {
        p: ALLOWED if p in allowed else (REFUSED if p == "anonymous" else IGNORED) for p in PERSONAS
    }


PAGES: list[Endpoint] = [
    # The map-first home: the public record near a place, the same for everybody.
    Endpoint("home page", "GET", "/", _row(REDACTED), public=True),
    Endpoint(
        "home page near a place", "GET", "/?lon=120.01&lat=30.01", _row(REDACTED), public=True
    ),
    # Citizens' pages.
    Endpoint("submit form", "GET", "/submit/", _row(ALLOWED), pii_case="self"),
    Endpoint(
        "nearby cases while submitting",
        "GET",
        "/submit/nearby/?category={category}&lon=120.01&lat=30.01",
        _row(REDACTED),
        public=True,
    ),
    Endpoint("submitted: case A", "GET", "/submitted/{case_a}/", _own("citizen"), pii_case=A),
    Endpoint(
        "my requests",
        "GET",
        "/requests/",
        {p: (REFUSED if p == "anonymous" else set()) for p in PERSONAS}
        | {"citizen": {A, A2, P}, "other_citizen": {B}},
    ),
    Endpoint("request page: case A", "GET", "/requests/{case_a}/", _own("citizen"), pii_case=A),
    Endpoint(
        "request page: private case",
        "GET",
        "/requests/{private_case}/",
        _own("citizen"),
        pii_case=P,
    ),
    Endpoint(
        "request page: case B", "GET", "/requests/{case_b}/", _own("other_citizen"), pii_case=B
    ),
    Endpoint(
        "request live fragment: case A",
        "GET",
        "/requests/{case_a}/live/",
        _own("citizen"),
        pii_case=A,
    ),
    Endpoint(
        "request: withdraw case A",
        "POST",
        "/requests/{case_a}/act/withdraw/",
        _own("citizen"),
        data={"withdraw-reason": "已自行解决"},
        pii_case=A,
        changes=A,
    ),
    Endpoint(
        "request: add information to case A",
        "POST",
        "/requests/{case_a}/act/note/",
        _own("citizen"),
        data={"note-text": "补充说明"},
        pii_case=A,
        changes=A,
    ),
    Endpoint(
        "request: reopen closed case A",
        "POST",
        "/requests/{case_a}/act/reopen/",
        _own("citizen"),
        data={"reopen-reason": "又有了"},
        pii_case=A,
        setup="close_a",
        changes=A,
    ),
    Endpoint(
        "request: rate closed case A",
        "POST",
        "/requests/{case_a}/act/rate/",
        _own("citizen"),
        data={"rate-rating": "5", "rate-comment": "很好"},
        pii_case=A,
        setup="close_a",
        changes=A,
    ),
    Endpoint(
        "request: staff action (file) through the citizen page",
        "POST",
        "/requests/{case_a}/act/file/",
        {p: REFUSED for p in PERSONAS},
        data={"file-note": ""},
        pii_case=A,
        changes=A,
    ),
    # The public record: anonymised, the same for everybody.
    Endpoint("public list", "GET", "/public/", _row(REDACTED), public=True),
    Endpoint(
        "public list, by status", "GET", "/public/?status=submitted", _row(REDACTED), public=True
    ),
    Endpoint("public page: case A", "GET", "/public/{case_a}/", _row(REDACTED), public=True),
    Endpoint(
        "public page: private case", "GET", "/public/{private_case}/", _row(REDACTED), public=True
    ),
    Endpoint("public list near a place", "GET", "/public/?q=东街道", _row(REDACTED), public=True),
    Endpoint(
        "printable public page: case A",
        "GET",
        "/public/{case_a}/print/",
        _row(REDACTED),
        public=True,
    ),
    Endpoint(
        "printable public page: private case",
        "GET",
        "/public/{private_case}/print/",
        _row(REDACTED),
        public=True,
    ),
    # Following a request without an account: the tracking page is for everybody; a one-time
    # link or an unsubscribe link that was never issued opens nothing for anybody (the real
    # ones, bound to their case: tests/citizens/test_tracking.py).
    Endpoint("tracking page", "GET", "/track/", _row(ALLOWED)),
    Endpoint("one-time link never issued", "GET", "/track/link/no-such-token/", _row(REFUSED)),
    Endpoint(
        "fresh link for a link never issued",
        "POST",
        "/track/link/no-such-token/fresh/",
        _row(REFUSED),
        changes=A,
    ),
    Endpoint("forged unsubscribe link", "GET", "/track/unsubscribe/1:forged/", _row(REFUSED)),
    Endpoint(
        "undo of a forged unsubscribe link",
        "POST",
        "/track/unsubscribe/1:forged/undo/",
        _row(REFUSED),
        changes=A,
    ),
    # Following a request ("me too") and area alerts (issue 10): any case of an ordinary
    # category, by anyone (anonymously: by a confirmed e-mail); a private-location case only by
    # staff permitted to view it; the reporter is sent to their own request page instead.
    Endpoint(
        "follow page: case A",
        "GET",
        "/public/{case_a}/follow/",
        _row(REDACTED, citizen=IGNORED),
        public=True,
    ),
    Endpoint(
        "follow: case A",
        "POST",
        "/public/{case_a}/follow/",
        _row(ALLOWED, citizen=IGNORED),
        data={"email": "follower@example.com"},
        changes="follows",
        public=True,
    ),
    Endpoint(
        "follow: private case",
        "POST",
        "/public/{private_case}/follow/",
        _row(REFUSED, citizen=IGNORED)
        | {p: ALLOWED for p in VIEWS if P in VIEWS[p] and p != "citizen"},
        data={"email": "follower@example.com"},
        changes="follows",
        public=True,
    ),
    Endpoint("area alerts", "GET", "/alerts/", _row(ALLOWED)),
    Endpoint(
        "stop an area alert",
        "POST",
        "/alerts/stop/",
        _row(IGNORED, anonymous=REFUSED),
        data={"subscription": "1"},
        changes="follows",
    ),
    # Notifications.
    Endpoint("notifications", "GET", "/notifications/", SIGNED_IN, setup="notification"),
    Endpoint("unread count fragment", "GET", "/notifications/unread/", _row(ALLOWED)),
    Endpoint(
        "mark the citizen's notification read",
        "POST",
        "/notifications/{notification}/read/",
        _bulk({"citizen"}),
        setup="notification",
        changes="notification",
    ),
    Endpoint("profile", "GET", "/accounts/profile/", SIGNED_IN, pii_case="self"),
    # Staff pages: the queue lists exactly the cases the person may see, and counts only those.
    # The queue's map points are privacy.listed_point: the private case's location is rounded
    # for everyone (was exact before 568e6c4), so no personal data at all on the queue.
    Endpoint("work queue", "GET", "/work/queue/", _queue(), counts=True),
    Endpoint("work start page", "GET", "/work/", _queue(), counts=True),
    Endpoint("work queue, every status", "GET", "/work/queue/?status=all", _queue(), counts=True),
    Endpoint(
        "work queue, submitted only",
        "GET",
        "/work/queue/?status=submitted",
        {p: v - {A2} if isinstance(v, set) else v for p, v in _queue().items()},
        counts=True,
    ),
    Endpoint("work queue list fragment", "GET", "/work/queue/list/", _queue(), counts=True),
    Endpoint(
        "bulk dispatch of filed case A",
        "POST",
        "/work/queue/dispatch/",
        _bulk({"street_leader", "dispatcher", "admin"}),
        data={"cases": ["{case_a}"], "next": "/work/queue/"},
        setup="file_a",
        changes=A,
    ),
    Endpoint(
        "bulk accept of case A",
        "POST",
        "/work/queue/bulk/",
        _bulk({"street_leader", "dispatcher", "admin"}),
        data={"cases": ["{case_a}"], "operation": "accept", "next": "/work/queue/"},
        changes=A,
    ),
    Endpoint(
        "bulk reject of case A",
        "POST",
        "/work/queue/bulk/",
        _bulk({"street_leader", "dispatcher", "admin"}),
        data={"cases": ["{case_a}"], "operation": "reject", "reason": "不属实"},
        changes=A,
    ),
    Endpoint(
        "bulk internal note on case A",
        "POST",
        "/work/queue/bulk/",
        # Staff who see case A (its reporter only as staff: not the citizen).
        _bulk(SEES_A_STAFF),
        data={"cases": ["{case_a}"], "operation": "note", "text": "已电话联系"},
        changes=A,
    ),
    Endpoint(
        "case page: case A",
        "GET",
        "/work/cases/{case_a}/",
        CASE_A_DETAIL,
        pii_case=A,
        shows_pii=True,
    ),
    Endpoint(
        "case page: case A2",
        "GET",
        "/work/cases/{case_a2}/",
        CASE_A2_DETAIL,
        pii_case=A2,
        shows_pii=True,
    ),
    Endpoint(
        "case page: case B",
        "GET",
        "/work/cases/{case_b}/",
        CASE_B_DETAIL,
        pii_case=B,
        shows_pii=True,
    ),
    # The map point is exact only for who may see personal data (was exact for all before
    # 568e6c4: officer_a and granted_clerk got the private case's exact location).
    Endpoint(
        "case page: private case",
        "GET",
        "/work/cases/{private_case}/",
        CASE_A_DETAIL,
        pii_case=P,
        shows_pii=True,
    ),
    # Was a leak (fixed): the staff case page showed internal notes to the reporter (citizen),
    # who may open it for their own case; the API timeline hides them from the reporter.
    Endpoint(
        "case page: case A with an internal note",
        "GET",
        "/work/cases/{case_a}/",
        CASE_A_DETAIL,
        pii_case=A,
        setup="internal_note",
    ),
    Endpoint(
        "case live fragment: case A", "GET", "/work/cases/{case_a}/live/", SEES_A_ONLY, pii_case=A
    ),
    # Was a leak (fixed): as above, through the live fragment.
    Endpoint(
        "case live fragment: case A with an internal note",
        "GET",
        "/work/cases/{case_a}/live/",
        SEES_A_ONLY,
        pii_case=A,
        setup="internal_note",
    ),
    Endpoint(
        "case page: file case A",
        "POST",
        "/work/cases/{case_a}/act/file/",
        _acting({"street_leader", "dispatcher", "admin"}),
        data={"file-note": ""},
        pii_case=A,
        changes=A,
    ),
    Endpoint(
        "case page: reject case A",
        "POST",
        "/work/cases/{case_a}/act/reject/",
        _acting({"street_leader", "dispatcher", "admin"}),
        data={"reject-reason": "不属实"},
        pii_case=A,
        changes=A,
    ),
    Endpoint(
        "case page: merge case A into A2",
        "POST",
        "/work/cases/{case_a}/act/merge/",
        _acting({"street_leader", "dispatcher", "admin"}),
        data={"merge-into": "{case_a2}", "merge-note": ""},
        pii_case=A,
        changes=A,
    ),
    Endpoint(
        "case page: dispatch filed case A",
        "POST",
        "/work/cases/{case_a}/act/dispatch/",
        _acting({"street_leader", "dispatcher", "admin"}),
        data={"dispatch-department": "", "dispatch-note": ""},
        pii_case=A,
        setup="file_a",
        changes=A,
    ),
    Endpoint(
        "case page: start case A2",
        "POST",
        "/work/cases/{case_a2}/act/start/",
        {
            p: ALLOWED
            if p in {"clerk", "admin"}
            else (FORBIDDEN if CASE_A2_DETAIL[p] != REFUSED else REFUSED)
            for p in PERSONAS
        },
        data={"start-note": ""},
        pii_case=A2,
        changes=A2,
    ),
    Endpoint(
        "case page: close resolved case A",
        "POST",
        "/work/cases/{case_a}/act/close/",
        _acting({"officer_a", "admin"}),
        data={"close-note": "已核实"},
        pii_case=A,
        setup="resolve_a",
        changes=A,
    ),
    Endpoint(
        "case page: send resolved case A back for rework",
        "POST",
        "/work/cases/{case_a}/act/rework/",
        _acting({"officer_a", "admin"}),
        data={"rework-reason": "未处理"},
        pii_case=A,
        setup="resolve_a",
        changes=A,
    ),
    Endpoint(
        "case page: escalate case A",
        "POST",
        "/work/cases/{case_a}/act/escalate/",
        _acting({"street_leader", "admin"}),
        data={"escalate-reason": "久拖未决"},
        pii_case=A,
        changes=A,
    ),
    Endpoint(
        "case page: withdraw case A",
        "POST",
        "/work/cases/{case_a}/act/withdraw/",
        _acting({"citizen"}),  # only the reporter
        data={"withdraw-reason": ""},
        pii_case=A,
        changes=A,
    ),
    Endpoint(
        "case page: note on case A",
        "POST",
        "/work/cases/{case_a}/act/note/",
        _acting(SEES_A),
        data={"note-text": "补充", "note-audience": "internal"},
        pii_case=A,
        changes=A,
    ),
    Endpoint(
        "case page: note on case B",
        "POST",
        "/work/cases/{case_b}/act/note/",
        {p: ALLOWED if CASE_B_DETAIL[p] != REFUSED else REFUSED for p in PERSONAS},
        data={"note-text": "补充"},
        pii_case=B,
        changes=B,
    ),
    Endpoint(
        "file-a-case page",
        "GET",
        "/work/file/",
        {p: ALLOWED if p in MAY_FILE else REFUSED for p in PERSONAS},
    ),
    Endpoint(
        "file a hotline case in grid A",
        "POST",
        "/work/file/",
        {
            p: ALLOWED if p in MAY_FILE_IN_A else (FORBIDDEN if p == "officer_b" else REFUSED)
            for p in PERSONAS
        },
        data={
            "channel": "hotline",
            "category": "{urgent_category}",
            "description": "来电：路灯不亮",
            "lon": "120.01",
            "lat": "30.01",
            "urgency": "general",
            "name": "王五",
            "phone": "13900000009",
        },
        changes="new_case",
    ),
    Endpoint(
        "areas overview",
        "GET",
        "/work/areas/",
        {p: ALLOWED if p in MAY_OVERVIEW else REFUSED for p in PERSONAS},
    ),
    Endpoint("case A's photo", "GET", "/files/{attachment}/", SEES_A_ONLY, setup="attachment"),
    Endpoint(
        "case A's photo thumbnail",
        "GET",
        "/files/{attachment}/thumb/",
        SEES_A_ONLY,
        setup="attachment",
    ),
    Endpoint("grid outlines", "GET", "/map/grids.geojson", _row(ALLOWED), public=True),
]

# The staff case pages are for staff (issue 10): a reporter with no staff role on the case is
# sent from its staff page to their own request page (OWN_REQUEST: a redirect to
# /requests/<id>/), and refused its staff fragments and staff actions (a 404, as for any case
# they may not see there). Before, the citizen got the staff layout of their own case.
OWN_REQUEST = "own request"
REPORTERS_ONLY = {"citizen", "other_citizen"}  # reporters of scenario cases, no staff role


def _for_staff(endpoint: Endpoint) -> Endpoint:
    if not endpoint.path.startswith("/work/cases/"):
        return endpoint
    page = endpoint.method == "GET" and endpoint.path.count("/") == 4  # /work/cases/{id}/
    answer = OWN_REQUEST if page else REFUSED
    expected = {
        p: answer if p in REPORTERS_ONLY and v != REFUSED else v
        for p, v in endpoint.expected.items()
    }
    return replace(endpoint, expected=expected)


PAGES = [_for_staff(endpoint) for endpoint in PAGES]
