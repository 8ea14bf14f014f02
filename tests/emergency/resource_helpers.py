"""Resources in the test city: a shelter in grid A, supplies in grid B, a team in grid A2."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from emergency.models import Shelter, Supply, Team


@dataclass
class Resources:
    shelter_a: Shelter
    supply_b: Supply
    team_a2: Team


def make_resources(city) -> Resources:
    shelter = Shelter.objects.create(
        name="甲社区文化中心避难点",
        lon=120.01,
        lat=30.01,
        address="东街道甲社区文化路1号",
        capacity=200,
        occupancy=35,
        contact_name="王主任",
        contact_phone="13900000011",
        open=True,
    )
    supply = Supply.objects.create(
        kind="flood",
        name="防汛沙袋",
        quantity=Decimal("500"),
        unit="袋",
        custodian="西街道应急站",
        custodian_phone="13900000022",
        storage_place="乙社区仓库",
        grid=city.grid_b,
    )
    team = Team.objects.create(
        name="东街道抢险突击队",
        kind="rescue",
        leader_name="李队长",
        leader_phone="13900000033",
        members=24,
        lon=120.07,
        lat=30.02,
    )
    return Resources(shelter, supply, team)
