from governance import workflow
from governance.access import cases_for


def test_a_citizen_request_runs_the_whole_loop(city, people):
    case = workflow.submit_case(
        actor=people.citizen,
        category=city.category,
        description="垃圾堆在路边",
        lon=city.point_a[0],
        lat=city.point_a[1],
        answers={"amount": "large"},
    )
    assert case.grid == city.grid_a
    assert list(cases_for(people.officer_a)) == [case]
    assert list(cases_for(people.officer_b)) == []
    workflow.file_case(case_id=case.pk, actor=people.street_leader)
    workflow.dispatch_case(case_id=case.pk, actor=people.dispatcher)
    workflow.start_case(case_id=case.pk, actor=people.clerk)
    workflow.resolve_case(case_id=case.pk, actor=people.clerk, note="清理完毕")
    workflow.verify_and_close_case(case_id=case.pk, actor=people.officer_a)
    case = workflow.rate_case(case_id=case.pk, actor=people.citizen, rating=5)
    assert case.status == "closed" and case.rating == 5
    assert [e.kind for e in case.events.all()] == [
        "submitted",
        "filed",
        "dispatched",
        "started",
        "resolved",
        "closed",
        "rated",
    ]
