"""Issue 10, defect 5: dispatch instructions are internal unless the dispatcher chooses; every
staff text field says who will read it; nothing internal reaches the citizen.
"""

import re

import pytest
from django.core import mail
from django.urls import reverse

from governance import workflow
from governance.models import EventKind
from governance.web import actions
from notifications.models import Notification

STAFF_ACTIONS = [n for n in actions.ACTIONS if n not in actions.CITIZEN_ACTIONS]


def _audience_texts() -> set[str]:
    return {
        str(actions.FOR_STAFF),
        str(actions.FOR_REPORTER),
        str(actions.FOR_EVERYONE),
        "For the staff who handle it: only staff see this, unless you choose below.",
    }


@pytest.fixture
def filed(city, people):
    case = workflow.submit_case(
        actor=people.citizen,
        category=city.category,
        description="垃圾",
        lon=city.point_a[0],
        lat=city.point_a[1],
        answers={"amount": "small"},
    )
    return workflow.file_case(case_id=case.pk, actor=people.dispatcher)


@pytest.mark.parametrize("name", STAFF_ACTIONS)
def test_every_staff_text_field_says_who_reads_it(name, english):
    form = actions.ACTIONS[name].form()
    for field_name, field in form.fields.items():
        if field.widget.__class__.__name__ == "Textarea" or field_name in ("note", "reason"):
            assert str(field.help_text) in _audience_texts(), (name, field_name)


def test_instructions_default_to_internal_on_the_form(db, english):
    form = actions.DispatchForm(prefix="dispatch")
    assert form.fields["note_audience"].initial == "internal"
    checked = re.findall(r'<input[^>]*value="(\w+)"[^>]*checked', form.as_p())
    assert checked == ["internal"]


def test_instructions_never_reach_the_citizen(client, people, filed, mailoutbox):
    client.force_login(people.dispatcher)
    url = reverse("governance:case_act", args=[filed.tracking_id, "dispatch"])
    secret = "先联系物业王经理，别告诉居民"
    assert client.post(url, {"dispatch-note": secret}).status_code == 302
    dispatched = filed.events.get(kind=EventKind.DISPATCHED)
    assert dispatched.note == "" and dispatched.audience == "reporter"
    assert filed.events.get(note=secret).audience == "internal"
    # The staff page shows it, marked internal.
    staff_html = client.get(reverse("governance:case", args=[filed.tracking_id])).content.decode()
    assert secret in staff_html
    # The citizen sees that it was dispatched, but not the instructions; nor do they get them.
    client.force_login(people.citizen)
    html = client.get(reverse("citizens:request", args=[filed.tracking_id])).content.decode()
    assert secret not in html
    assert filed.events.filter(kind=EventKind.DISPATCHED).exists()
    told = Notification.objects.filter(user=people.citizen, case=filed)
    assert told.exists()
    assert all(secret not in n.body for n in told)
    assert all(secret not in m.body for m in mail.outbox)


def test_the_dispatcher_may_write_for_the_reporter(client, people, filed):
    client.force_login(people.dispatcher)
    url = reverse("governance:case_act", args=[filed.tracking_id, "dispatch"])
    text = "已派水务局，三天内处理"
    response = client.post(url, {"dispatch-note": text, "dispatch-note_audience": "reporter"})
    assert response.status_code == 302
    assert filed.events.get(kind=EventKind.DISPATCHED).note == text
    client.force_login(people.citizen)
    html = client.get(reverse("citizens:request", args=[filed.tracking_id])).content.decode()
    assert text in html
