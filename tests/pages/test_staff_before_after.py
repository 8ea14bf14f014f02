"""Issue 10, staff productivity: the reporter's photos and the handler's photos of the fix side
by side on the staff case page, through the one file view; stacked on a phone."""

from django.urls import reverse

from governance import workflow
from tests.uploads import photo


def _resolved(city, people, *, fix_photo=True):
    case = workflow.submit_case(
        actor=people.citizen,
        category=city.category,
        description="垃圾",
        lon=city.point_a[0],
        lat=city.point_a[1],
        answers={"amount": "small"},
        files=[photo("before.jpg")],
    )
    workflow.file_case(case_id=case.pk, actor=people.dispatcher)
    workflow.dispatch_case(case_id=case.pk, actor=people.dispatcher)
    workflow.start_case(case_id=case.pk, actor=people.clerk)
    workflow.resolve_case(
        case_id=case.pk,
        actor=people.clerk,
        note="已清理",
        files=[photo("after.jpg")] if fix_photo else [],
    )
    return case


def test_before_and_after_side_by_side(client, city, people):
    case = _resolved(city, people)
    before = case.attachments.get(event__kind="submitted")
    after = case.attachments.get(event__kind="resolved")
    client.force_login(people.officer_a)
    client.cookies["django_language"] = "en"
    html = client.get(reverse("governance:case", args=[case.tracking_id])).content.decode()
    assert "Before and after" in html
    pair = html.split('class="before-after-pair"')[1].split("</section>")[0]
    reported, fixed = pair.split("After the fix")
    # Through the one file view, each under its own heading.
    assert reverse("governance:attachment", args=[before.pk]) in reported
    assert reverse("governance:attachment", args=[after.pk]) in fixed
    assert reverse("governance:attachment", args=[after.pk]) not in reported
    assert 'alt="Photo of the fix 1"' in fixed


def test_no_pair_without_a_photo_of_the_fix(client, city, people):
    case = _resolved(city, people, fix_photo=False)
    client.force_login(people.officer_a)
    client.cookies["django_language"] = "en"
    html = client.get(reverse("governance:case", args=[case.tracking_id])).content.decode()
    assert "Before and after" not in html


def test_the_pair_is_only_on_pages_of_people_who_may_open_the_files(client, city, people):
    case = _resolved(city, people)
    client.force_login(people.officer_b)
    assert client.get(reverse("governance:case", args=[case.tracking_id])).status_code == 404
