"""How big a city each mode builds."""

from __future__ import annotations

from dataclasses import dataclass, replace

# The registry's keyed hashes (`gridwork.idnumbers`) derive from SECRET_KEY: the registry's
# build and its measurements, separate processes, sign and hash with this one (a bench key).
REGISTRY_SECRET_KEY = "bench-registry-key-the-same-in-the-build-and-the-measurements-2026"


@dataclass(frozen=True)
class Scale:
    name: str
    grids: int
    cases: int
    officers_per_grid: int = 2  # one lead officer (网格长) and one grid officer (网格员)
    grids_per_community: int = 10
    communities_per_street: int = 10
    streets_per_district: int = 10
    citizens_per_case: float = 0.1
    days: int = 730  # two years of cases
    # How many samples each measurement takes (fewer in the CI smoke run).
    route_points: int = 20_000
    naive_route_points: int = 200
    queue_repeats: int = 200
    http_requests: int = 2_000
    concurrency: int = 16
    websockets: int = 1_000
    guardian_sizes: tuple[int, ...] = (10_000, 50_000, 200_000)

    @property
    def officers(self) -> int:
        return self.grids * self.officers_per_grid

    def fraction(self, share: float) -> Scale:
        """The same city with a share of its grids and cases (for the growth columns)."""
        return replace(
            self,
            name=f"{self.name}@{share:g}",
            grids=max(self.grids_per_community, round(self.grids * share)),
            cases=max(100, round(self.cases * share)),
        )


SCALES = {
    "small": Scale(
        "small",
        grids=200,
        cases=5_000,
        route_points=2_000,
        naive_route_points=50,
        queue_repeats=20,
        http_requests=40,
        concurrency=4,
        websockets=20,
        guardian_sizes=(500, 2_000),
    ),
    "medium": Scale("medium", grids=2_000, cases=100_000, guardian_sizes=(10_000, 50_000)),
    "full": Scale("full", grids=20_000, cases=1_000_000, http_requests=500),
}
