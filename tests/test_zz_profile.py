import cProfile
import io
import pstats
import time

from django.test import override_settings

from tests.scenario import token_for


def test_profile(api, city, people):
    api.credentials(HTTP_AUTHORIZATION=f"Token {token_for(people.citizen)}")
    body = {
        "category": city.category.code,
        "description": "路边垃圾",
        "lon": city.point_a[0],
        "lat": city.point_a[1],
        "answers": {"amount": "small"},
    }
    with override_settings(RATE_LIMITS_ENABLED=False):
        for _ in range(5):
            api.post("/api/v1/cases/", body, format="json")
        profile = cProfile.Profile()
        tick = time.perf_counter()
        profile.enable()
        for _ in range(100):
            assert api.post("/api/v1/cases/", body, format="json").status_code == 201
        profile.disable()
        print("\nper request ms", (time.perf_counter() - tick) * 10)
    out = io.StringIO()
    pstats.Stats(profile, stream=out).sort_stats("cumulative").print_stats(70)
    print(out.getvalue())
