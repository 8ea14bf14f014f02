"""A small test city and the named personas every suite uses.

The city: one district (2 streets × 1 community × 2 grids), coded per the standard.

    street 001 / community 001: grid A (x 120.00–120.05), grid A2 (120.05–120.10)
    street 002 / community 001: grid B (x 120.10–120.15), grid B2 (120.15–120.20)
    all grids span latitude 30.00–30.05; grid A has a hole around (120.025, 30.025).
"""

from __future__ import annotations

from dataclasses import dataclass

from citizens.models import User
from governance.models import Area, Assignment, Category, Department, Level, Question

CITY, DISTRICT = "339900", "339901"


def square(x0: float, y0: float, x1: float, y1: float, hole: bool = False) -> dict:
    rings = [[[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]]
    if hole:
        cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
        rings.append(
            [
                [cx - 0.005, cy - 0.005],
                [cx - 0.005, cy + 0.005],
                [cx + 0.005, cy + 0.005],
                [cx + 0.005, cy - 0.005],
                [cx - 0.005, cy - 0.005],
            ]
        )
    return {"type": "Polygon", "coordinates": rings}


@dataclass
class City:
    city: Area
    district: Area
    street_a: Area
    street_b: Area
    community_a: Area
    community_b: Area
    grid_a: Area
    grid_a2: Area
    grid_b: Area
    grid_b2: Area
    department: Department
    other_department: Department
    category: Category
    urgent_category: Category

    # Points well inside each grid.
    point_a = (120.01, 30.01)
    point_b = (120.11, 30.01)


def make_city() -> City:
    city = Area.objects.create(code=CITY, name="明湖市", name_en="Minghu", level=Level.CITY)
    district = Area.objects.create(
        code=DISTRICT,
        name="青湖区",
        name_en="Qinghu",
        level=Level.DISTRICT,
        parent=city,
        boundary=square(120.0, 30.0, 120.2, 30.05),
    )
    street_a = Area.objects.create(
        code=DISTRICT + "001",
        name="东街道",
        level=Level.STREET,
        parent=district,
        boundary=square(120.0, 30.0, 120.1, 30.05),
    )
    street_b = Area.objects.create(
        code=DISTRICT + "002",
        name="西街道",
        level=Level.STREET,
        parent=district,
        boundary=square(120.1, 30.0, 120.2, 30.05),
    )
    community_a = Area.objects.create(
        code=street_a.code + "001",
        name="甲社区",
        level=Level.COMMUNITY,
        parent=street_a,
        boundary=square(120.0, 30.0, 120.1, 30.05),
    )
    community_b = Area.objects.create(
        code=street_b.code + "001",
        name="乙社区",
        level=Level.COMMUNITY,
        parent=street_b,
        boundary=square(120.1, 30.0, 120.2, 30.05),
    )
    grids = []
    # Each grid's edges are exactly its neighbours' (120.1 + 0.05 is 120.14999999999999).
    for community, x0, x1 in (
        (community_a, 120.0, 120.05),
        (community_a, 120.05, 120.1),
        (community_b, 120.1, 120.15),
        (community_b, 120.15, 120.2),
    ):
        sequence = len([g for g in grids if g.parent_id == community.pk]) + 1
        grids.append(
            Area.objects.create(
                code=f"{community.code}{sequence:03d}",
                name=f"网格{len(grids) + 1}",
                level=Level.GRID,
                parent=community,
                boundary=square(x0, 30.0, x1, 30.05, hole=(x0 == 120.0)),
            )
        )
    department = Department.objects.create(
        code="city-management", name="城管局", name_en="City management"
    )
    other_department = Department.objects.create(code="water", name="水务局", name_en="Water")
    category = Category.objects.create(
        family="event",
        code="event-0102",
        name="暴露垃圾",
        name_en="Exposed garbage",
        general_limit=4,
        urgent_limit=2,
        default_department=department,
    )
    Question.objects.create(
        category=category,
        code="amount",
        label="数量",
        label_en="Amount",
        datatype="singlevaluelist",
        required=True,
        order=1,
        values=[{"key": "small", "name": "少量"}, {"key": "large", "name": "大量"}],
    )
    urgent_category = Category.objects.create(
        family="component",
        code="component-0102",
        name="污水井盖",
        name_en="Sewage cover",
        general_limit=6,
        urgent_limit=2,
        default_department=other_department,
    )
    return City(
        city,
        district,
        street_a,
        street_b,
        community_a,
        community_b,
        *grids,
        department,
        other_department,
        category,
        urgent_category,
    )


@dataclass
class Personas:
    citizen: User
    other_citizen: User
    officer_a: User
    officer_b: User
    street_leader: User
    dispatcher: User
    clerk: User
    other_clerk: User
    admin: User


def make_personas(city: City) -> Personas:
    def person(username: str, **extra) -> User:
        return User.objects.create_user(username=username, password="pw-" + username, **extra)

    citizen = person("citizen", phone="13800000001", email="citizen@example.com")
    other_citizen = person("other_citizen", phone="13800000002")
    officer_a = person("officer_a")
    Assignment.objects.create(user=officer_a, area=city.grid_a, role="officer")
    officer_b = person("officer_b")
    Assignment.objects.create(user=officer_b, area=city.grid_b, role="officer")
    street_leader = person("street_leader")
    Assignment.objects.create(user=street_leader, area=city.street_a, role="leader")
    dispatcher = person("dispatcher")
    Assignment.objects.create(user=dispatcher, area=city.district, role="dispatcher")
    clerk = person("clerk")
    clerk.groups.add(city.department.group)
    other_clerk = person("other_clerk")
    other_clerk.groups.add(city.other_department.group)
    admin = User.objects.create_superuser("admin", "admin@example.com", "pw-admin")
    return Personas(
        citizen,
        other_citizen,
        officer_a,
        officer_b,
        street_leader,
        dispatcher,
        clerk,
        other_clerk,
        admin,
    )
