"""Cases, a private-location category and a sharing grant on top of the test city.

case_a        citizen's request in grid A (exposed garbage), with a contact; submitted
case_a2       citizen's request in grid A2, dispatched to the city-management department
case_b        other citizen's request in grid B (sewage cover); submitted
private_case  citizen's service application in grid A: a private-location category
grant         other_clerk's department (water) may see exposed garbage and the private
              category under street A, without personal data, for 30 days
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.utils import timezone
from rest_framework.authtoken.models import Token

from governance import workflow
from governance.models import ApiKey, Case, Category, SharingGrant
from tests.factories import City, Personas

PRIVATE_POINT = (120.012345, 30.016789)


@dataclass
class Scenario:
    case_a: Case
    case_a2: Case
    case_b: Case
    private_case: Case
    private_category: Category
    grant: SharingGrant
    api_key: str


def make_scenario(city: City, people: Personas) -> Scenario:
    private_category = Category.objects.create(
        family="service",
        code="service-0101",
        name="居家养老服务申请",
        name_en="Home care application",
        general_limit=5,
        limit_unit="working_days",
        private_location=True,
        default_department=city.department,
    )
    case_a = workflow.submit_case(
        actor=people.citizen,
        category=city.category,
        description="垃圾堆在路边",
        lon=city.point_a[0],
        lat=city.point_a[1],
        answers={"amount": "large"},
        contact={"name": "张三", "phone": "13800000001", "email": "zs@example.com"},
    )
    case_a2 = workflow.submit_case(
        actor=people.citizen,
        category=city.category,
        description="又有垃圾",
        lon=120.07,
        lat=30.01,
        answers={"amount": "small"},
        contact={"name": "张三", "phone": "13800000001"},
    )
    workflow.file_case(case_id=case_a2.pk, actor=people.street_leader)
    workflow.dispatch_case(case_id=case_a2.pk, actor=people.street_leader)
    case_b = workflow.submit_case(
        actor=people.other_citizen,
        category=city.urgent_category,
        description="井盖松动",
        lon=city.point_b[0],
        lat=city.point_b[1],
        contact={"name": "李四", "phone": "13800000002"},
    )
    private_case = workflow.submit_case(
        actor=people.citizen,
        category=private_category,
        description="申请上门助餐",
        lon=PRIVATE_POINT[0],
        lat=PRIVATE_POINT[1],
        contact={"name": "张三", "phone": "13800000001"},
    )
    grant = SharingGrant.objects.create(
        department=city.other_department,
        area=city.street_a,
        with_personal_data=False,
        expires_at=timezone.now() + timedelta(days=30),
    )
    grant.categories.set([city.category, private_category])
    _key, api_key = ApiKey.objects.issue("test system")
    return Scenario(case_a, case_a2, case_b, private_case, private_category, grant, api_key)


def token_for(user) -> str:
    return Token.objects.get_or_create(user=user)[0].key
