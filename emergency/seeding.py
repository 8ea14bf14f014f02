"""The demo city's emergencies: plans, resources, a past drill and an open incident.

Everything past is written through the domain's own functions (declaring, activating a plan,
feedback, notices, answers, the sweeps) at the moments it would have happened
(`governance.clock.travel`), so the board, the roll-call, the after-action report and the CAP
feed show what the product itself would have written. Plans and resources are prepared data
(`emergency.demo_data`). The first plan's name is the marker: while it exists, nothing is added.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from emergency import answering, incidents, linking, plans, resending
from emergency.demo_data import HUBIN, PLANS, SHELTERS, SUPPLIES, TEAMS, XIXI, PlanSpec
from emergency.models import (
    Certainty,
    Incident,
    IncidentKind,
    IncidentLevel,
    IncidentStatus,
    Notice,
    Plan,
    PlanStep,
    PlanTeam,
    Recipient,
    Severity,
    Shelter,
    Supply,
    Task,
    Team,
    Urgency,
)
from emergency.notices import send_notice
from governance import clock
from governance.models import Area, Case, Category, Department, Role

User = get_user_model()
MARKER = PLANS[0].name
STAFF_ROLES = [Role.OFFICER, Role.LEAD_OFFICER, Role.LEADER]


def seeded() -> bool:
    return Plan.objects.filter(name=MARKER).exists()


def seed_emergency(*, now: datetime) -> bool:
    """Add the demo's emergencies unless they are there; returns whether it added them."""
    if seeded():
        return False
    with transaction.atomic():
        by_kind = {plan.kind: plan for plan in (write_plan(spec) for spec in PLANS)}
        write_resources()
        people = {user.username: user for user in User.objects.filter(is_active=True)}
        past_drill(by_kind[IncidentKind.GAS], people, start=_drill_start(now))
        open_incident(by_kind[IncidentKind.FLOOD], people, start=now - timedelta(minutes=150))
    return True


# --- prepared ---------------------------------------------------------------------------


def _owner(code: str) -> dict:
    if code in Role.values:
        return {"role": code}
    return {"department": Department.objects.get(code=code)}


def write_plan(spec: PlanSpec) -> Plan:
    plan = Plan.objects.create(
        name=spec.name,
        name_en=spec.name_en,
        kind=spec.kind,
        min_level=spec.min_level,
        max_level=spec.max_level,
        command_group=spec.command_group,
        termination=spec.termination,
    )
    for code, duty in spec.teams:
        PlanTeam.objects.create(plan=plan, duty=duty, **_owner(code))
    for order, step in enumerate(spec.steps, start=1):
        owner = _owner(step.owner)
        PlanStep.objects.create(
            plan=plan,
            order=order,
            title=step.title,
            title_en=step.title_en,
            owner_department=owner.get("department"),
            owner_role=owner.get("role", ""),
            limit=step.limit,
            limit_unit=step.unit,
            feedback_expected=step.feedback,
        )
    return plan


def write_resources() -> None:
    grids = {area.code: area for area in Area.objects.grids()}
    for model, specs in ((Shelter, SHELTERS), (Supply, SUPPLIES), (Team, TEAMS)):
        for spec in specs:
            grid = grids[spec.grid]
            width, height = grid.max_lon - grid.min_lon, grid.max_lat - grid.min_lat
            row = model(
                lon=round((grid.min_lon + grid.max_lon) / 2 + width * spec.dx / 100, 6),
                lat=round((grid.min_lat + grid.max_lat) / 2 + height * spec.dy / 100, 6),
                **spec.values,
            )
            row.save()  # `place()` finds the grid from the point


# --- the story --------------------------------------------------------------------------


def _drill_start(now: datetime) -> datetime:
    """A weekday morning about three weeks ago, 09:30 local time."""
    day = timezone.localtime(now) - timedelta(days=21)
    while day.weekday() >= 5:
        day -= timedelta(days=1)
    return day.replace(hour=9, minute=30, second=0, microsecond=0)


Step = tuple[float, Callable[..., object], dict]  # (minutes after the start, action, its arguments)


def _run(start: datetime, steps: list[Step]) -> None:
    """Each action at its moment, in the order of their moments (the sweeps see only what
    had happened by then)."""
    for n, action, kwargs in sorted(steps, key=lambda step: step[0]):
        with clock.travel(start + timedelta(minutes=n)):
            action(**kwargs)


def _tasks(incident: Incident) -> list[Task]:
    return list(Task.objects.filter(activation__incident=incident).order_by("order", "pk"))


def _answer(*, notice: Notice, username: str, choice: str, note: str, opened: bool) -> None:
    recipient = Recipient.objects.filter(notice=notice, user__username=username).first()
    if recipient is None:  # the demo's people were changed: nobody to answer
        return
    if opened:
        answering.open_notice(recipient.token)
    else:
        answering.answer(recipient.token, choice, note)


def _answers(notice: Notice, at: float, answers: list[tuple[str, float, str, str]]) -> list[Step]:
    """(username, minutes after the notice, answer, note): each opens it, then answers (no
    answer: opened only)."""
    steps: list[Step] = []
    for username, n, choice, note in answers:
        who = {"notice": notice, "username": username, "choice": choice, "note": note}
        steps.append((at + n - 1, _answer, {**who, "opened": True}))
        if choice:
            steps.append((at + n, _answer, {**who, "opened": False}))
    return steps


def _feedback(
    tasks: list[Task], people: dict, given: dict[int, tuple[str, float, str]]
) -> list[Step]:
    """{task index: (username, minute, text)}."""
    return [
        (n, plans.record_feedback, {"task_id": tasks[i].pk, "by": people[who], "text": text})
        for i, (who, n, text) in given.items()
    ]


def _status(incident: Incident, by, to: str, note: str = "") -> tuple:
    return incidents.change_status, {"incident_id": incident.pk, "by": by, "to": to, "note": note}


def _target(*codes: str) -> dict:
    return {
        "areas": list(Area.objects.filter(code__in=codes).values_list("pk", flat=True)),
        "roles": STAFF_ROLES,
    }


def past_drill(plan: Plan, people: dict, *, start: datetime) -> Incident:
    """A gas-leak drill in 西溪社区, three weeks ago: declared, the plan activated, a notice
    most answered (the silent sent it again, then their leader told), every step fed back
    (the valve step late, the leaders above told), then closed."""
    dispatcher = people["dispatcher"]
    with clock.travel(start):
        drill = incidents.declare_incident(
            by=dispatcher,
            title="西溪社区燃气泄漏应急演练",
            title_en="Xixi community gas leak drill",
            kind=IncidentKind.GAS,
            level=IncidentLevel.IV,
            areas=list(Area.objects.filter(code=XIXI)),
            exercise=True,
            occurred_at=start,
            description="模拟西溪社区3号楼燃气管道泄漏，检验疏散、关阀抢修和逐户检测流程。",
        )
    _run(
        start,
        [
            (2, *_status(drill, dispatcher, IncidentStatus.CONFIRMED)),
            (4, *_status(drill, dispatcher, IncidentStatus.RESPONDING)),
            (5, plans.activate_plan, {"incident": drill, "plan": plan, "by": dispatcher}),
        ],
    )
    with clock.travel(start + timedelta(minutes=6)):
        notice = send_notice(
            sender=dispatcher,
            incident=drill,
            title="【演练】西溪社区3号楼燃气泄漏，请立即到岗",
            title_en="[Drill] Gas leak at building 3, Xixi: to your posts now",
            body="演练：西溪社区3号楼发生燃气泄漏，请各网格员立即组织疏散并回复签收。",
            body_en="Drill: a gas leak at building 3 of Xixi community. Grid officers, "
            "evacuate the building now and acknowledge.",
            target=_target(XIXI),
        )
    note = {
        "incident_id": drill.pk,
        "by": people["lead.xixi"],
        "text": "3号楼42户已全部疏散，清点无遗漏。",
    }
    closing = "演练结束。关阀环节超时约20分钟，已要求住建局与燃气公司完善绕行方案。"
    _run(
        start,
        [
            *_answers(
                notice,
                6,
                [
                    ("officer.xixi1", 2, "on_my_way", ""),
                    ("officer.xixi2", 3, "received", ""),
                    ("lead.xixi", 3, "on_my_way", ""),
                    ("leader.xixi-community", 5, "received", ""),
                    ("officer.xixi4", 19, "need_help", "3号楼2单元有行动不便老人，需要协助转移"),
                ],
            ),
            (17, resending.resend_unanswered, {}),
            (30, resending.resend_unanswered, {}),
            (20, incidents.add_note, note),
            (40, plans.sweep_late_tasks, {}),  # the valve step is past its 30 minutes
            *_feedback(
                _tasks(drill),
                people,
                {
                    0: ("officer.xixi1", 12, "已疏散3号楼及相邻4号楼，共126人。"),
                    1: ("clerk.housing", 52, "燃气公司抢修车因道路施工绕行，关阀完成。"),
                    2: ("clerk.city-management", 18, "已在3号楼周边50米设置警戒带。"),
                    3: ("lead.xixi", 110, "逐户检测86户，未发现异常。"),
                    4: ("clerk.housing", 170, "管线复查完毕，警戒解除。"),
                },
            ),
            (180, *_status(drill, dispatcher, IncidentStatus.RECOVERING)),
            (195, *_status(drill, dispatcher, IncidentStatus.CLOSED, closing)),
        ],
    )
    return drill


def open_incident(plan: Plan, people: dict, *, start: datetime) -> Incident:
    """Rainstorm waterlogging in 湖滨社区 and 西溪社区, level III, two and a half hours old:
    responding, the flood plan activated, a public notice (a CAP alert) to the staff of both
    communities, some steps fed back (one late), two citizens' reports linked."""
    dispatcher = people["dispatcher"]
    with clock.travel(start + timedelta(minutes=3)):
        incident = incidents.declare_incident(
            by=dispatcher,
            title="湖滨、西溪社区暴雨内涝",
            title_en="Rainstorm waterlogging in Hubin and Xixi communities",
            kind=IncidentKind.FLOOD,
            level=IncidentLevel.III,
            areas=list(Area.objects.filter(code__in=[HUBIN, XIXI])),
            occurred_at=start,
            categories=Category.objects.filter(code__in=["component-0103", "component-0104"]),
            description="短时强降雨（小时雨量62毫米），湖滨路、西溪路下穿通道及多处小区地下车库积水。",
        )
    _run(
        start,
        [
            (6, *_status(incident, dispatcher, IncidentStatus.CONFIRMED)),
            (10, *_status(incident, dispatcher, IncidentStatus.RESPONDING)),
            (12, plans.activate_plan, {"incident": incident, "plan": plan, "by": dispatcher}),
        ],
    )
    with clock.travel(start + timedelta(minutes=15)):
        notice = send_notice(
            sender=dispatcher,
            incident=incident,
            title="暴雨黄色预警：湖滨、西溪社区出现严重积水",
            title_en="Yellow rainstorm warning: severe waterlogging in Hubin and Xixi",
            body="受强降雨影响，湖滨路、西溪路下穿通道及部分小区地下车库积水超过40厘米。",
            body_en="After heavy rain, the Hubin Road and Xixi Road underpasses and some "
            "underground car parks are more than 40 cm under water.",
            instruction="请勿进入下穿通道和地下车库，低洼地带住户请前往湖滨小学或西溪体育馆避难。",
            instruction_en="Keep out of the underpasses and underground car parks; residents "
            "of low-lying homes, go to the Hubin school or Xixi gym shelters.",
            target=_target(HUBIN, XIXI),
            public=True,
            severity=Severity.MODERATE,
            urgency=Urgency.IMMEDIATE,
            certainty=Certainty.OBSERVED,
            expires_at=start + timedelta(hours=12),
            resend_after=15,
        )
    tasks = _tasks(incident)
    note = {
        "incident_id": incident.pk,
        "by": people["officer.hubin3"],
        "text": "被困车辆2辆、人员3名已由湖滨街道应急救援队救出，无人受伤。",
    }
    cases = [case.pk for case in _flood_cases(start)]
    link = {"incident_id": incident.pk, "by": dispatcher, "case_ids": cases}
    _run(
        start,
        [
            *_answers(
                notice,
                15,
                [
                    ("officer.hubin1", 2, "on_my_way", ""),
                    ("officer.hubin2", 4, "received", ""),
                    ("officer.hubin3", 6, "need_help", "湖滨路下穿通道有车辆被困，需要救援队"),
                    ("lead.hubin", 3, "on_my_way", ""),
                    ("officer.xixi1", 5, "on_my_way", ""),
                    ("officer.xixi3", 9, "received", ""),
                    ("lead.xixi", 7, "received", ""),
                    ("leader.hubin-community", 11, "received", ""),
                    ("officer.xixi2", 20, "", ""),  # opened it, has not answered yet
                ],
            ),
            *([(25, linking.link_cases, link)] if cases else []),
            (31, resending.resend_unanswered, {}),
            (47, resending.resend_unanswered, {}),
            (60, plans.sweep_late_tasks, {}),  # the cordon step is past its 45 minutes
            (80, incidents.add_note, note),
            *_feedback(
                tasks,
                people,
                {
                    0: (
                        "officer.hubin1",
                        35,
                        "湖滨路下穿通道积水约50厘米，已拉警戒；西溪路3号小区地下车库进水。",
                    ),
                    1: (
                        "clerk.water",
                        55,
                        "湖滨、西溪泵站全部开启，2台移动泵车已到湖滨路下穿通道。",
                    ),
                    2: (
                        "clerk.city-management",
                        66,
                        "湖滨路、西溪路下穿通道已封闭，交警协助分流。",
                    ),
                    3: ("lead.hubin", 100, "已转移地下室住户23户、61人，安置在湖滨小学。"),
                },
            ),
        ],
    )
    return incident


def _flood_cases(start: datetime) -> list[Case]:
    """One of the demo's open reports in each flooded community, filed before the rain:
    a storm drain's first."""
    where = Case.objects.open().filter(created_at__lt=start)
    chosen: list[Case] = []
    for code in (HUBIN, XIXI):
        path = Area.objects.get(code=code).path
        here = where.filter(area_path__startswith=path).order_by("pk")
        drains = here.filter(category__code__in=["component-0103", "component-0104"])
        case = drains.first() or here.first()
        if case is not None:
            chosen.append(case)
    return chosen
