"""Planted personal data: distinctive markers the generated suite looks for in every answer.

On top of `tests.scenario`, the citizen reports two more cases in grid A, each with a contact,
a note of their own, a staff note shown to them and an internal staff note with a photo:

private    a home-care application (a `private_location` category): its exact point, address
           and description are personal data
ordinary   exposed garbage: only its contact is personal data

Each marker is a string that appears in an answer only if that piece of data is shown; each
has an audience (who may be shown it) and, for personal data, the access-log field a showing
to anyone but the reporter must write. The citizen's account also gets a distinctive display
name: a timeline naming the reporter's account shows personal data too.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.tokens import default_token_generator
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from emergency import incidents, linking, plans
from emergency.models import (
    Incident,
    IncidentKind,
    Notice,
    Plan,
    PlanStep,
    Recipient,
    Shelter,
    Supply,
    SupplyKind,
    Task,
    Team,
    TeamKind,
)
from governance import workflow
from governance.models import AccessLog, Attachment, Case, CaseContact, CaseEvent
from notifications.models import Notification, NotificationKind
from tests.factories import City, Personas
from tests.permissions.matrix import PD_SEERS, SEES_A, SEES_A_STAFF
from tests.scenario import Scenario
from tests.uploads import photo

VARIANTS = ("private", "ordinary")
NEARBY_OFFSET = 37 / 111_320  # the nearby probe asks 37 m north of a planted case
ANY = "any"  # a marker of both planted cases

PRIVATE_POINT = (120.013579, 30.036482)  # six decimals: never shown rounded to these
PRIVATE_ADDRESS = "幸福里7号楼302室"
PRIVATE_DESCRIPTION = "独居老人申请上门助餐PRIVATE-DESC-MARK"
ACCOUNT_NAME = "实名赵六"  # the citizen's account display name
CONTACTS = {
    "private": {"name": "机密张三", "phone": "13912345678", "email": "zhang.jimi@example.org"},
    "ordinary": {"name": "机密李四", "phone": "13987654321", "email": "li.jimi@example.org"},
}

# Who may be shown each kind of marker (the planted cases are the citizen's, in grid A).
PERSONAL = "personal"  # the reporter and who may see the case's personal data
STAFF = "staff"  # the staff who see the case (internal notes and their files), not the reporter
REPORTER = "reporter"  # the reporter and the staff who see the case (never the public)
AUDIENCES = {
    PERSONAL: frozenset(PD_SEERS["case_a"]),
    STAFF: frozenset(SEES_A_STAFF),
    REPORTER: frozenset(SEES_A),
}


@dataclass(frozen=True)
class Marker:
    name: str  # e.g. "private: phone"
    variant: str  # which planted case it belongs to
    audience: str
    log_field: str | None  # personal data: the AccessLog field a showing must name
    values: tuple[str, ...]  # any of these in an answer is a showing
    served: bool = False  # a file: shown when its URL answers 200 with its bytes
    only_on: frozenset[str] | None = None  # URL names where it is looked for (None: all)


@dataclass
class Planted:
    cases: dict[str, Case]
    contacts: dict[str, CaseContact]
    internal_events: dict[str, CaseEvent]
    internal_files: dict[str, Attachment]
    notification: Notification
    access_log: AccessLog
    markers: list[Marker]
    reset_uid: str
    reset_token: str
    incident: Incident  # the emergency pages' probes read it: both cases linked, a plan on
    plan: Plan
    task: Task
    shelter: Shelter  # resources in grid A, with their contacts' phones
    supply: Supply
    team: Team
    public_notice: Notice  # the incident's public notice: a CAP alert


def plant(city: City, people: Personas, scenario: Scenario) -> Planted:
    citizen = people.citizen
    citizen.display_name = ACCOUNT_NAME
    citizen.save(update_fields=["display_name"])
    cases = {
        "private": workflow.submit_case(
            actor=citizen,
            category=scenario.private_category,
            description=PRIVATE_DESCRIPTION,
            lon=PRIVATE_POINT[0],
            lat=PRIVATE_POINT[1],
            address=PRIVATE_ADDRESS,
            contact=CONTACTS["private"],
            files=[photo("private-home.jpg")],
        ),
        "ordinary": workflow.submit_case(
            actor=citizen,
            category=city.category,
            description="路口垃圾桶满了",
            lon=120.02,
            lat=30.012,
            address="东街道公共垃圾点",
            answers={"amount": "large"},
            contact=CONTACTS["ordinary"],
        ),
    }
    private_photo = Attachment.objects.get(case=cases["private"])  # filed with the request
    internal_events, internal_files = {}, {}
    for variant, case in cases.items():
        tag = variant.upper()
        workflow.add_note(case_id=case.pk, actor=citizen, text=f"REPORTER-NOTE-MARK-{tag}")
        workflow.add_note(
            case_id=case.pk,
            actor=people.officer_a,
            text=f"REPORTER-NOTE-MARK-{tag} (staff, shown to the reporter)",
            audience="reporter",
        )
        workflow.add_note(
            case_id=case.pk,
            actor=people.officer_a,
            text=f"INTERNAL-NOTE-MARK-{tag}",
            audience="internal",
            files=[photo(f"internal-{variant}.jpg")],
        )
        internal_events[variant] = CaseEvent.objects.filter(case=case, audience="internal").latest(
            "pk"
        )
        internal_files[variant] = Attachment.objects.get(event=internal_events[variant])
    notification = Notification.objects.create(
        user=citizen,
        kind=NotificationKind.STATUS_CHANGED,
        case=cases["ordinary"],
        title="您的诉求已受理",
        created_at=timezone.now(),
    )
    access_log = AccessLog.objects.create(
        user=people.admin, case=cases["private"], fields=["phone"], via="page"
    )
    contacts = {v: CaseContact.objects.get(case=c) for v, c in cases.items()}
    incident, plan, task = _incident(city, people, cases)
    return Planted(
        cases=cases,
        contacts=contacts,
        internal_events=internal_events,
        internal_files=internal_files,
        notification=notification,
        access_log=access_log,
        markers=_markers(cases, internal_files, private_photo),
        reset_uid=urlsafe_base64_encode(force_bytes(citizen.pk)),
        reset_token=default_token_generator.make_token(citizen),
        incident=incident,
        plan=plan,
        task=task,
        **_resources(city),
        public_notice=_public_notice(city, people, incident),
    )


def _incident(city: City, people: Personas, cases: dict[str, Case]) -> tuple[Incident, Plan, Task]:
    """An incident on the district with both planted cases linked and a plan activated."""
    incident = incidents.declare_incident(
        by=people.admin, title="暴雨内涝", kind=IncidentKind.FLOOD, level=3, areas=[city.district]
    )
    linking.link_cases(
        incident_id=incident.pk, by=people.admin, case_ids=[c.pk for c in cases.values()]
    )
    plan = Plan.objects.create(name="防汛预案", kind=IncidentKind.FLOOD)
    PlanStep.objects.create(plan=plan, order=1, title="排查积水点", owner_role="officer", limit=30)
    activation, _created = plans.activate_plan(incident=incident, plan=plan, by=people.admin)
    return incident, plan, activation.tasks.get()


def _public_notice(city: City, people: Personas, incident: Incident) -> Notice:
    """The incident's public notice (a CAP alert), sent to officer A (their answer link)."""
    notice = Notice.objects.create(
        incident=incident,
        title="暴雨红色预警",
        body="请勿前往低洼地带。",
        public=True,
        target={"areas": [city.grid_a.pk], "roles": ["officer"]},
        sent_by=people.admin,
        sent_at=timezone.now(),
        recipient_count=1,
    )
    Recipient.objects.create(
        notice=notice,
        user=people.officer_a,
        area=city.grid_a,
        area_path=city.grid_a.path,
        last_sent_at=notice.sent_at,
    )
    return notice


def _resources(city: City) -> dict[str, Shelter | Supply | Team]:
    """A shelter, a supply and a team in grid A."""
    lon, lat = city.point_a
    placed = {"grid": city.grid_a, "lon": lon, "lat": lat}
    rows = {
        "shelter": Shelter(name="一中体育馆", capacity=300, contact_phone="13700001111", **placed),
        "supply": Supply(
            kind=SupplyKind.choices[0][0], name="沙袋", quantity=500, unit="袋", **placed
        ),
        "team": Team(name="青年突击队", kind=TeamKind.choices[0][0], members=12, **placed),
    }
    for row in rows.values():
        row.full_clean()
        row.save()
    return rows


def _markers(
    cases: dict[str, Case], files: dict[str, Attachment], private_photo: Attachment
) -> list[Marker]:
    markers = []
    for variant in VARIANTS:
        tag = variant.upper()
        for field in ("name", "phone", "email"):
            value = CONTACTS[variant][field]
            markers.append(
                Marker(f"{variant}: reporter {field}", variant, PERSONAL, field, (value,))
            )
        markers += [
            Marker(
                f"{variant}: internal note", variant, STAFF, None, (f"INTERNAL-NOTE-MARK-{tag}",)
            ),
            Marker(
                f"{variant}: reporter-only note",
                variant,
                REPORTER,
                None,
                (f"REPORTER-NOTE-MARK-{tag}",),
            ),
            Marker(
                f"{variant}: internal file URL",
                variant,
                STAFF,
                None,
                (f"/files/{files[variant].pk}/", files[variant].file.name),
            ),
            Marker(f"{variant}: internal file bytes", variant, STAFF, None, (), served=True),
        ]
    markers += [
        Marker(
            "private: exact point", "private", PERSONAL, "location", tuple(map(str, PRIVATE_POINT))
        ),
        Marker("private: address", "private", PERSONAL, "address", (PRIVATE_ADDRESS,)),
        Marker("private: description", "private", PERSONAL, "description", ("PRIVATE-DESC-MARK",)),
        # A photo of a private-location case shows where someone lives: never public.
        Marker(
            "private: photo URL",
            "private",
            REPORTER,
            None,
            (f"/files/{private_photo.pk}/", private_photo.file.name),
        ),
        # The duplicate hint near the private point names the private case only to who may see
        # it (elsewhere its tracking id is the public record's).
        Marker(
            "private: offered nearby",
            "private",
            REPORTER,
            None,
            (cases["private"].tracking_id,),
            only_on=frozenset({"citizens:submit_nearby"}),
        ),
        # The reporter's account name as the actor of their own timeline entries (both cases).
        Marker("reporter's account name", ANY, PERSONAL, "reporter", (ACCOUNT_NAME,)),
    ]
    return markers


MARKER_NAMES = [
    *(
        f"{variant}: {what}"
        for variant in VARIANTS
        for what in (
            "reporter name",
            "reporter phone",
            "reporter email",
            "internal note",
            "reporter-only note",
            "internal file URL",
            "internal file bytes",
        )
    ),
    "private: exact point",
    "private: address",
    "private: description",
    "private: photo URL",
    "private: offered nearby",
    "reporter's account name",
]
