"""The demo cases: a couple of hundred requests and reports, told through the workflow.

Every case is submitted and moved on by the functions of `governance.workflow`, acted by the
demo person whose role it is, at plausible moments of the last sixty days
(`governance.clock.travel`). The stories are drawn from `random.Random(SEED)`, so the same
stories come out on every run (the moments are relative to the day of seeding).

The seed leaves an internal note carrying MARKER on its first case; while that note exists,
`seed_cases` adds nothing, so seeding twice never doubles the cases.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractUser, AnonymousUser
from django.db import transaction
from django.db.models import Max
from django.dispatch import Signal
from django.utils import timezone

from governance import clock, events, workflow
from governance.models import (
    Area,
    Assignment,
    Audience,
    Case,
    CaseEvent,
    Category,
    Channel,
    Datatype,
    EventKind,
    Level,
    Role,
    Status,
    Urgency,
)

SEED = 20260301
MARKER = "演示数据 demo data · seed:demo-cases:v1"

# Story → its steps after submission, and how many cases tell it.
STORIES: dict[str, tuple[list[str], int]] = {
    "submitted": ([], 14),
    "filed": (["file"], 14),
    "dispatched": (["file", "dispatch"], 16),
    "in_progress": (["file", "dispatch", "start"], 16),
    "resolved": (["file", "dispatch", "start", "resolve"], 14),
    "closed": (["file", "dispatch", "start", "resolve", "close"], 26),
    "rated": (["file", "dispatch", "start", "resolve", "close", "rate"], 34),
    "rejected": (["reject"], 12),
    "withdrawn": (["withdraw"], 6),
    "withdrawn_after_filing": (["file", "withdraw"], 4),
    "reworked_closed": (
        ["file", "dispatch", "start", "resolve", "rework", "resolve", "close", "rate"],
        8,
    ),
    "reworked_open": (["file", "dispatch", "start", "resolve", "rework"], 5),
    "reopened": (["file", "dispatch", "start", "resolve", "close", "reopen"], 4),
    "reopened_redispatched": (
        ["file", "dispatch", "start", "resolve", "close", "reopen", "dispatch", "start"],
        4,
    ),
    "escalated_filed": (["file", "escalate"], 4),
    "escalated_dispatched": (["file", "dispatch", "escalate"], 5),
    "escalated_twice": (["file", "dispatch", "start", "escalate", "escalate"], 3),
    "escalated_closed": (["file", "dispatch", "start", "escalate", "resolve", "close"], 4),
}
MERGED = 10

# The months before the last sixty days: settled cases only (the evaluation's history), so a
# month's grades and their 环比/同比 have something to compare. Stories and their weights; each
# street settles at its own pace (`PACE`), so the streets' grades differ.
HISTORY_MONTHS = 4
HISTORY_PER_MONTH = 18
HISTORY: dict[str, tuple[list[str], int]] = {
    "rated": (["file", "dispatch", "start", "resolve", "close", "rate"], 10),
    "closed": (["file", "dispatch", "start", "resolve", "close"], 5),
    "reworked": (
        ["file", "dispatch", "start", "resolve", "rework", "resolve", "close", "rate"],
        3,
    ),
    "reworked_twice": (
        [
            "file",
            "dispatch",
            "start",
            "resolve",
            "rework",
            "resolve",
            "rework",
            "resolve",
            "close",
            "rate",
        ],
        1,
    ),
    "redispatched": (
        ["file", "dispatch", "redispatch", "start", "resolve", "close", "rate"],
        2,
    ),
    "reopened": (
        [
            *["file", "dispatch", "start", "resolve", "close"],
            *["reopen", "dispatch", "start", "resolve", "close", "rate"],
        ],
        1,
    ),
    "rejected": (["reject"], 1),
    "withdrawn": (["withdraw"], 1),
}
# Per street (by its order of code): how much longer than usual its cases take to resolve.
PACE = (0.5, 1.0, 2.5, 4.0)
# Sent after the replayed history is written (muted: no subscriber was told of it), with the
# ids of the cases made, so whatever derives facts from timelines can catch up.
history_replayed = Signal()
# The recent stories are written (inside the seeding transaction): `now` is the demo's present.
stories_told = Signal()
UNROUTED = 5  # points outside every grid: the city's queue
OWNER_STEPS = {"withdraw", "reopen", "rate"}  # only the reporter's own account may take them

# Hours between one step and the next: (shortest, longest).
GAPS: dict[str, tuple[float, float]] = {
    "file": (0.2, 4),
    "reject": (0.3, 6),
    "dispatch": (0.1, 2),
    "start": (0.5, 6),
    "resolve": (2, 30),
    "close": (2, 20),
    "rate": (1, 48),
    "rework": (2, 12),
    "reopen": (24, 96),
    "withdraw": (0.5, 10),
    "escalate": (4, 48),
}

ROADS = ["文三路", "教工路", "学院路", "天目山路", "莫干山路", "古墩路", "丰潭路", "湖墅南路"]
DESCRIPTIONS = {
    "component": [
        "{name}损坏，存在安全隐患，请尽快处理。",
        "{name}出现问题好几天了，影响附近居民出行。",
        "{name}缺失或破损，晚上看不清，容易出事。",
    ],
    "event": [
        "发现{name}，就在{address}附近，希望尽快处理。",
        "{name}问题反复出现，请相关部门彻底解决。",
        "巡查发现{name}，现场照片已拍，请派人处理。",
    ],
    "service": [
        "申请{name}，材料已准备好，请告知办理流程和时间。",
        "想办理{name}，请社区工作人员联系我。",
    ],
    "consultation": ["咨询{name}：想了解最新的政策和办理条件。"],
    "complaint": ["{name}：工作人员态度不好，问题一直拖着不解决。", "{name}：每天晚上都很吵。"],
    "suggestion": ["{name}：建议在小区门口增加非机动车停放区。", "{name}：希望多组织老年活动。"],
}
REJECT_REASONS = [
    "经核实，该问题不属于本平台受理范围，请拨打相关部门电话。",
    "现场核查未发现所述问题。",
    "信息不完整，无法核实，请补充具体位置后重新提交。",
]
RESOLVE_NOTES = ["已到现场处理完毕。", "已更换损坏部件并清理现场。", "已联系责任单位整改完成。"]
REWORK_REASONS = ["现场核查问题依然存在，请返工。", "处理不彻底，周边仍有遗留。"]
REOPEN_REASONS = ["问题又出现了，请重新处理。", "结案后没几天又坏了。"]
WITHDRAW_REASONS = ["问题已自行解决，撤回。", "提交重复了，撤回这一条。", ""]
RATING_COMMENTS = {
    1: "处理太慢。",
    2: "问题没有彻底解决。",
    3: "一般。",
    4: "处理及时，谢谢。",
    5: "非常满意，网格员很负责！",
}
CALLERS = ["王女士", "张先生", "刘阿姨", "陈师傅", "杨同学"]


@dataclass
class Cast:
    """Who plays each role in the stories."""

    admin: AbstractUser
    dispatcher: AbstractUser
    supervisor: AbstractUser
    citizens: list[AbstractUser]
    # grid id → its grid officer, else its community's lead officer
    verifier: dict[int, AbstractUser]
    intake: dict[int, AbstractUser]  # grid id → its community's lead officer
    clerks: dict[int, AbstractUser]  # department id → a clerk

    @classmethod
    def load(cls) -> Cast:
        assignments = Assignment.objects.select_related("user", "area").filter(
            area__retired_at__isnull=True
        )
        accounts = get_user_model()
        by: dict[tuple[str, str], AbstractUser] = {}
        first: dict[str, AbstractUser] = {}
        for a in assignments.order_by("pk"):
            by.setdefault((a.role, a.area.code), a.user)
            first.setdefault(a.role, a.user)
        grids = Area.objects.active().grids().select_related("parent")
        lead = {g.pk: by.get((Role.LEAD_OFFICER, g.parent.code)) for g in grids}
        verifier = {g.pk: by.get((Role.OFFICER, g.code)) or lead[g.pk] for g in grids}
        clerks: dict[int, AbstractUser] = {}
        for user in accounts.objects.filter(groups__department__isnull=False).order_by("username"):
            for department_id in user.groups.values_list("department", flat=True):
                clerks.setdefault(department_id, user)
        citizens = list(
            accounts.objects.filter(username__startswith="citizen.", is_staff=False).order_by(
                "username"
            )
        )
        missing = [g.code for g in grids if verifier[g.pk] is None or lead[g.pk] is None]
        if missing or not citizens:
            raise RuntimeError(f"seed people incomplete: grids without officers {missing}")
        return cls(
            admin=accounts.objects.filter(is_superuser=True).order_by("pk").first(),
            dispatcher=first[Role.DISPATCHER],
            supervisor=first[Role.SUPERVISOR],
            citizens=citizens,
            verifier=verifier,
            intake=lead,  # type: ignore[arg-type]
            clerks=clerks,
        )


class Storyteller:
    def __init__(self, rng: random.Random, cast: Cast, now: datetime) -> None:
        self.rng = rng
        self.cast = cast
        self.now = now
        self.grids = list(Area.objects.active().grids().order_by("code"))
        self.categories = list(Category.objects.filter(active=True).prefetch_related("questions"))
        self.district = Area.objects.active().filter(level=Level.DISTRICT).order_by("code").first()

    # --- the pieces of a case ---------------------------------------------------------------

    def point_in(self, grid: Area) -> tuple[float, float]:
        rng = self.rng
        margin_x = (grid.max_lon - grid.min_lon) * 0.08
        margin_y = (grid.max_lat - grid.min_lat) * 0.08
        lon = rng.uniform(grid.min_lon + margin_x, grid.max_lon - margin_x)
        lat = rng.uniform(grid.min_lat + margin_y, grid.max_lat - margin_y)
        return round(lon, 6), round(lat, 6)

    def answers(self, category: Category, moment: datetime) -> dict[str, Any]:
        rng, answers = self.rng, {}
        for question in category.questions.all():
            if not question.required and rng.random() < 0.5:
                continue
            keys = [v["key"] for v in question.values]
            answers[question.code] = {
                Datatype.STRING: lambda: rng.choice(["A-12", "东侧", "3号楼旁", "浙A·D1234"]),
                Datatype.TEXT: lambda: "详细情况：已经持续一段时间，请尽快处理。",
                Datatype.NUMBER: lambda: rng.randint(1, 90),
                Datatype.DATETIME: lambda: (
                    (moment - timedelta(hours=rng.uniform(1, 72)))
                    .replace(microsecond=0)
                    .isoformat()
                ),
                Datatype.SINGLE: lambda keys=keys: rng.choice(keys),
                Datatype.MULTI: lambda keys=keys: sorted(
                    rng.sample(keys, rng.randint(1, len(keys)))
                ),
            }[question.datatype]()
        return answers

    def reporter(self, grid: Area | None, *, own: bool) -> dict[str, Any]:
        rng = self.rng
        roll = 0.0 if own else rng.random()
        contact = {"name": rng.choice(CALLERS), "phone": f"1380000{rng.randint(1000, 9999)}"}
        if roll < 0.4:
            return {"actor": rng.choice(self.cast.citizens), "channel": Channel.WEB}
        if roll < 0.6 or grid is None:
            return {"actor": AnonymousUser(), "channel": Channel.WEB, "contact": contact}
        if roll < 0.8:
            return {"actor": self.cast.dispatcher, "channel": Channel.HOTLINE, "contact": contact}
        return {"actor": self.cast.verifier[grid.pk], "channel": Channel.PATROL}

    def submit(self, moment: datetime, grid: Area | None, point, *, own: bool) -> Case:
        rng = self.rng
        category = rng.choice(self.categories)
        address = f"{rng.choice(ROADS)}{rng.randint(1, 300)}号"
        urgency = (
            Urgency.URGENT if category.allows_urgent and rng.random() < 0.2 else Urgency.GENERAL
        )
        description = rng.choice(DESCRIPTIONS[category.family]).format(
            name=category.name, address=address
        )
        with clock.travel(moment):
            return workflow.submit_case(
                category=category,
                description=description,
                lon=point[0],
                lat=point[1],
                address=address,
                urgency=urgency,
                answers=self.answers(category, moment),
                **self.reporter(grid, own=own),
            )

    # --- the steps --------------------------------------------------------------------------

    def step(self, name: str, case: Case, moment: datetime, reporter: Any) -> Case:
        rng, cast = self.rng, self.cast
        intake = cast.intake.get(case.grid_id) if rng.random() < 0.7 else None
        intake = intake or cast.dispatcher
        verifier = cast.verifier.get(case.grid_id, cast.admin)
        actions: dict[str, Callable[[], Case]] = {
            "file": lambda: workflow.file_case(case_id=case.pk, actor=intake),
            "reject": lambda: workflow.reject_case(
                case_id=case.pk, actor=intake, reason=rng.choice(REJECT_REASONS)
            ),
            "dispatch": lambda: workflow.dispatch_case(case_id=case.pk, actor=cast.dispatcher),
            # 改派: the first department sends it back, and it goes to another one.
            "redispatch": lambda: workflow.dispatch_case(
                case_id=case.pk,
                actor=cast.dispatcher,
                department=self.other_department(case),
            ),
            "start": lambda: workflow.start_case(
                case_id=case.pk, actor=cast.clerks[case.assignee_department_id]
            ),
            "resolve": lambda: workflow.resolve_case(
                case_id=case.pk,
                actor=cast.clerks[case.assignee_department_id],
                note=rng.choice(RESOLVE_NOTES),
            ),
            "close": lambda: workflow.verify_and_close_case(
                case_id=case.pk,
                actor=verifier,
                note="现场核查，问题已解决。",
                public_summary="已处理并经现场核查。",  # what the public record reads
            ),
            "rework": lambda: workflow.rework_case(
                case_id=case.pk, actor=verifier, reason=rng.choice(REWORK_REASONS)
            ),
            "rate": lambda: self.rate(case, reporter),
            "reopen": lambda: workflow.reopen_case(
                case_id=case.pk, actor=reporter, reason=rng.choice(REOPEN_REASONS)
            ),
            "withdraw": lambda: workflow.withdraw_case(
                case_id=case.pk, actor=reporter, reason=rng.choice(WITHDRAW_REASONS)
            ),
            "escalate": lambda: self.escalate(case, moment),
        }
        with clock.travel(moment):
            return actions[name]()

    def other_department(self, case: Case):
        from governance.models import Department

        others = [pk for pk in sorted(self.cast.clerks) if pk != case.assignee_department_id]
        return Department.objects.get(pk=self.rng.choice(others)) if others else None

    def rate(self, case: Case, reporter: AbstractUser) -> Case:
        score = self.rng.choices([1, 2, 3, 4, 5], weights=[1, 1, 2, 5, 8])[0]
        return workflow.rate_case(
            case_id=case.pk, actor=reporter, rating=score, comment=RATING_COMMENTS[score]
        )

    def escalate(self, case: Case, moment: datetime) -> Case:
        if case.due_at is not None and case.due_at < moment:
            return workflow.escalate_case(
                case_id=case.pk, actor=None, reason="超期未办结，自动督办。", overdue=True
            )
        return workflow.escalate_case(
            case_id=case.pk, actor=self.cast.supervisor, reason="群众反映强烈，请加快办理。"
        )

    # --- whole stories ----------------------------------------------------------------------

    def start_moment(self, hours: float, *, recent: bool) -> datetime:
        """A daytime moment early enough for `hours` of story to end before now."""
        rng = self.rng
        local_now = timezone.localtime(self.now)
        days = rng.uniform(0, 8) if recent else rng.uniform(0, 58)
        start = (local_now - timedelta(days=days, hours=hours)).replace(
            hour=rng.randint(7, 20), minute=rng.randint(0, 59), second=0, microsecond=0
        )
        latest = self.now - timedelta(hours=hours, minutes=10)
        if start > latest:
            start = latest - timedelta(minutes=rng.randint(5, 120))
        return start

    def tell(
        self,
        steps: list[str],
        *,
        grid: Area | None = None,
        point=None,
        start: datetime | None = None,
    ) -> Case:
        rng = self.rng
        if start is None:  # a recent story: drawn as it always was
            gaps = [rng.uniform(*GAPS[name]) for name in steps]
            ends_open = not steps or steps[-1] not in ("close", "rate", "reject", "withdraw")
            moment = self.start_moment(sum(gaps), recent=ends_open and rng.random() < 0.7)
            if point is None:
                grid = rng.choice(self.grids)
                point = self.point_in(grid)
        else:  # a settled one of the history, at its street's pace
            if point is None:
                grid = rng.choice(self.grids)
                point = self.point_in(grid)
            pace = self.pace(grid)
            gaps = [
                rng.uniform(*GAPS.get(name, GAPS["dispatch"])) * (pace if name == "resolve" else 1)
                for name in steps
            ]
            moment = start
        own = bool(OWNER_STEPS & set(steps))
        case = self.submit(moment, grid, point, own=own)
        reporter = case.reporter or AnonymousUser()
        for name, gap in zip(steps, gaps, strict=True):
            moment += timedelta(hours=gap)
            case = self.step(name, case, moment, reporter)
        return case

    def pace(self, grid: Area | None) -> float:
        """How slowly the grid's street resolves (the demo's streets differ on purpose)."""
        if grid is None:
            return 1.0
        streets = getattr(self, "_streets", None)
        if streets is None:
            streets = self._streets = list(
                Area.objects.active().filter(level=Level.STREET).order_by("code")
            )
        for index, street in enumerate(streets):
            if grid.path.startswith(street.path):
                return PACE[index % len(PACE)]
        return 1.0

    def history(self, months: int, per_month: int) -> list[Case]:
        """Settled cases in the months before the last sixty days, each month alike: a
        working-day morning of that month, one of the HISTORY stories."""
        rng = self.rng
        stories = [steps for steps, weight in HISTORY.values() for _ in range(weight)]
        local_now = timezone.localtime(self.now)
        made = []
        for month in range(months):
            for _ in range(per_month):
                days = 62 + month * 30 + rng.uniform(0, 28)
                start = (local_now - timedelta(days=days)).replace(
                    hour=rng.randint(8, 15), minute=rng.randint(0, 59), second=0, microsecond=0
                )
                if start.weekday() >= 5:  # weekends: move to the Friday before
                    start -= timedelta(days=start.weekday() - 4)
                made.append(self.tell(rng.choice(stories), start=start))
        return made

    def merge_duplicates(self, count: int) -> list[Case]:
        """Second reports of open cases, merged into the first by the dispatcher."""
        rng = self.rng
        targets = list(
            Case.objects.filter(
                status__in=[Status.SUBMITTED, Status.FILED, Status.DISPATCHED],
                grid__isnull=False,
                created_at__lt=self.now - timedelta(days=1),
            ).order_by("created_at", "pk")
        )
        merged = []
        for target in rng.sample(targets, min(count, len(targets))):
            age_hours = (self.now - target.created_at).total_seconds() / 3600
            moment = target.created_at + timedelta(hours=rng.uniform(0.5, min(20, age_hours - 4)))
            point = (round(target.lon + 0.0002, 6), round(target.lat - 0.0001, 6))
            duplicate = self.submit(moment, target.grid, point, own=False)
            with clock.travel(moment + timedelta(hours=rng.uniform(0.2, 3))):
                merged.append(
                    workflow.merge_case(
                        case_id=duplicate.pk,
                        into_id=target.pk,
                        actor=self.cast.dispatcher,
                        note="与已受理案件重复，合并办理。",
                    )
                )
        return merged

    def unrouted(self, count: int) -> list[Case]:
        """Points outside every grid (west of the district): they wait in the city's queue."""
        cases = []
        for index in range(count):
            point = (
                round(self.rng.uniform(120.03, 120.09), 6),
                round(self.rng.uniform(30.21, 30.27), 6),
            )
            steps = ["reject"] if index == 0 else []
            case = self.tell([], grid=None, point=point)
            if steps:
                with clock.travel(min(case.created_at + timedelta(hours=2), self.now)):
                    case = workflow.reject_case(
                        case_id=case.pk,
                        actor=self.cast.admin,
                        reason="该位置不在本市网格范围内，请向属地政府反映。",
                    )
            cases.append(case)
        return cases

    def sweep_history(self) -> int:
        """The time-limit sweep as it would have run through the demo's past: each open case
        warned at its warning point and escalated a step at each overdue point before now, at
        those moments (never before the case's last entry, so its timeline stays in order).

        Without it, the first sweep after a fresh demo start would send every overdue case's
        "due soon" and "overdue" in the same minute (a clerk found 40 unread). Like the rest
        of the replayed history it is muted: it sends nothing. Returns the entries written.
        """
        written = 0
        due = Case.objects.open().filter(warn_at__lte=self.now).order_by("pk")
        for case in due:
            last = case.events.order_by("-created_at").values_list("created_at", flat=True)[0]
            if case.warned_at is None:
                with clock.travel(max(case.warn_at, last)):
                    written += len(workflow.warn_cases([case.pk]))
                last = max(case.warn_at, last)
            while True:
                case.refresh_from_db()
                step = case.due_at + timedelta(minutes=1)
                if case.escalation_level and case.escalated_at is not None:
                    step = max(step, case.escalated_at + workflow.time_limit(case))
                moment = max(step, last)
                if moment > self.now or not workflow.needs_escalation(case, moment):
                    break
                with clock.travel(moment):
                    if not workflow.escalate_overdue_cases({case.pk: case.escalation_level}):
                        break  # the top of its area path
                written += 1
                last = moment
        return written


def seeded() -> bool:
    return CaseEvent.objects.filter(kind=EventKind.NOTE, note=MARKER).exists()


def seed_cases(*, now: datetime | None = None, seed: int = SEED) -> int:
    """Tell the demo stories unless they are already there; returns how many cases were made."""
    if seeded():
        return 0
    now = now or timezone.now()
    with transaction.atomic(), events.muted():
        teller = Storyteller(random.Random(seed), Cast.load(), now)
        made: list[Case] = []
        for steps, count in STORIES.values():
            made += [teller.tell(steps) for _ in range(count)]
        made += teller.unrouted(UNROUTED)
        made += teller.merge_duplicates(MERGED)
        # Other apps add to the story here (the evaluation: callback answers), before the
        # sweep's history, so a case they reopen is swept too.
        told_before = Case.objects.aggregate(last=Max("pk"))["last"] or 0
        stories_told.send(sender=Storyteller, now=now)
        theirs = list(Case.objects.filter(pk__gt=told_before).values_list("pk", flat=True))
        teller.sweep_history()
        # Its own draws, after the recent stories': those come out as they always did.
        teller.rng = random.Random(seed + 1)
        made += teller.history(HISTORY_MONTHS, HISTORY_PER_MONTH)
        first = min(made, key=lambda case: case.pk)
        with clock.travel(now):
            workflow.add_note(
                case_id=first.pk, actor=teller.cast.admin, text=MARKER, audience=Audience.INTERNAL
            )
        history_replayed.send(sender=Storyteller, case_ids=[case.pk for case in made] + theirs)
    return len(made)


def replay_added_cases(*, after_pk: int, now: datetime | None = None) -> int:
    """The cases the other apps' demos filed after the stories (patrol reports, visits'
    follow-ups, sensor alarms), through what the stories' own cases went through: the
    time-limit sweep as it would have run (a fresh demo's first sweep stays quiet) and the
    subscribers of replayed history (the evaluation's facts). Muted; returns how many."""
    added = list(Case.objects.filter(pk__gt=after_pk).order_by("pk").values_list("pk", flat=True))
    if not added:
        return 0
    with transaction.atomic(), events.muted():
        Storyteller(random.Random(SEED), Cast.load(), now or timezone.now()).sweep_history()
        history_replayed.send(sender=Storyteller, case_ids=added)
    return len(added)
