"""Every event kind: emitted by the workflow after commit, to the right groups, by its schema."""

from datetime import timedelta

import pytest

from governance import events, timelimits, workflow
from governance.realtime import schemas
from governance.realtime.schemas import InvalidEvent, validate
from tests.realtime.helpers import Listener


def submit(city, people, point=None):
    lon, lat = point or city.point_a
    return workflow.submit_case(
        actor=people.citizen,
        category=city.category,
        description="垃圾堆在路边",
        lon=lon,
        lat=lat,
        answers={"amount": "small"},
        contact={"name": "张三", "phone": "13800000009"},
    )


def kinds(messages):
    return [m["kind"] for m in messages]


@pytest.fixture(autouse=True)
def in_memory_layer(settings):
    """These tests listen on the layer from synchronous code: the in-memory layer allows that
    (the consumer tests run on the real Redis layer when REDIS_URL is set)."""
    from channels.layers import channel_layers

    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    channel_layers.backends.clear()
    yield
    channel_layers.backends.clear()


@pytest.fixture
def commit(django_capture_on_commit_callbacks):
    def run(fn, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return fn(*args, **kwargs)

    return run


def test_case_created_reaches_its_areas_and_the_public_feed_without_personal_data(
    city, people, commit
):
    grid = Listener(events.area_group(city.grid_a.code))
    street = Listener(events.area_group(city.street_a.code))
    other_grid = Listener(events.area_group(city.grid_b.code))
    public = Listener(events.PUBLIC_GROUP)
    case = commit(submit, city, people)
    [message] = grid.messages()
    assert validate(message)["kind"] == schemas.CASE_CREATED
    assert message["tracking_id"] == case.tracking_id
    assert message["category"] == "event-0102" and message["status"] == "submitted"
    assert (message["lon"], message["lat"]) == (120.01, 30.01)
    assert kinds(street.messages()) == [schemas.CASE_CREATED]
    assert other_grid.messages() == []
    [feed] = public.messages()
    assert feed == message
    text = str(feed)
    assert "张三" not in text and "13800000009" not in text and "垃圾堆" not in text


def test_nothing_is_sent_when_the_change_rolls_back(city, people, commit):
    grid = Listener(events.area_group(city.grid_a.code))
    with pytest.raises(Exception):  # noqa: B017
        commit(
            workflow.submit_case,
            actor=people.citizen,
            category=city.category,
            description="",
            lon=120.01,
            lat=30.01,
        )
    assert grid.messages() == []


def test_case_transitioned_goes_to_the_case_the_department_and_the_feed(city, people, commit):
    case = commit(submit, city, people)
    on_case = Listener(events.case_group(case.pk))
    department = Listener(events.department_group(city.department.pk))
    public = Listener(events.PUBLIC_GROUP)
    commit(workflow.file_case, case_id=case.pk, actor=people.street_leader)
    commit(workflow.dispatch_case, case_id=case.pk, actor=people.dispatcher)
    seen = on_case.messages()
    assert kinds(seen) == [schemas.CASE_TRANSITIONED] * 2
    assert [m["status"] for m in seen] == ["filed", "dispatched"]
    assert [m["event"] for m in seen] == ["filed", "dispatched"]
    assert all(validate(m) for m in seen)
    assert [m["status"] for m in department.messages()] == ["dispatched"]
    assert [m["status"] for m in public.messages()] == ["filed", "dispatched"]


def test_case_escalated_is_internal_only(city, people, commit):
    case = commit(submit, city, people)
    street = Listener(events.area_group(city.street_a.code))
    public = Listener(events.PUBLIC_GROUP)
    commit(workflow.escalate_case, case_id=case.pk, actor=people.street_leader, reason="拖延")
    [message] = street.messages()
    assert validate(message)["kind"] == schemas.CASE_ESCALATED
    assert message["level"] == 1
    assert public.messages() == []


def test_case_due_soon_is_sent_when_the_sweep_warns(city, people, commit):
    case = commit(submit, city, people)
    case.refresh_from_db()
    grid = Listener(events.area_group(city.grid_a.code))
    almost = case.created_at + (case.due_at - case.created_at) * 0.85
    commit(timelimits.sweep, almost)
    [message] = grid.messages()
    assert validate(message)["kind"] == schemas.CASE_DUE_SOON
    assert message["due_at"] == case.due_at.isoformat()


def test_case_overdue_and_escalated_are_sent_when_the_sweep_escalates(city, people, commit):
    case = commit(submit, city, people)
    case.refresh_from_db()
    grid = Listener(events.area_group(city.grid_a.code))
    public = Listener(events.PUBLIC_GROUP)
    commit(timelimits.sweep, case.due_at + timedelta(minutes=1))
    got = grid.messages()
    # First found already past its limit: warned (once) and escalated in the same sweep.
    assert kinds(got) == [schemas.CASE_DUE_SOON, schemas.CASE_ESCALATED, schemas.CASE_OVERDUE]
    assert all(validate(m) for m in got)
    assert public.messages() == []


def test_notification_is_pushed_to_its_person_only(city, people, commit):
    officer = Listener(events.user_group(people.officer_a.pk))
    other = Listener(events.user_group(people.officer_b.pk))
    case = commit(submit, city, people)
    [message] = officer.messages()
    assert validate(message)["kind"] == schemas.NOTIFICATION
    assert message["tracking_id"] == case.tracking_id
    assert message["unread"] == 1
    assert other.messages() == []


def test_broadcast_reaches_the_broadcast_group(db, commit):
    everyone = Listener(events.BROADCAST_GROUP)
    commit(events.broadcast_on_commit, "系统将于今晚维护")
    [message] = everyone.messages()
    assert validate(message) == {**message, "kind": schemas.BROADCAST, "text": "系统将于今晚维护"}


@pytest.mark.parametrize(
    "message",
    [
        {"kind": "case.nonsense"},
        {"kind": schemas.BROADCAST, "text": "x"},
        {"kind": schemas.BROADCAST, "text": "x", "at": "now", "phone": "138"},
        {"kind": schemas.BROADCAST, "text": 5, "at": "now"},
    ],
)
def test_a_message_off_its_schema_is_refused(message):
    with pytest.raises(InvalidEvent):
        validate(message)


def test_muted_history_is_recorded_without_side_effects(city, people, commit):
    from notifications.models import Notification

    grid = Listener(events.area_group(city.grid_a.code))
    with events.muted():
        case = commit(submit, city, people)
    assert case.events.count() == 1
    assert grid.messages() == []
    assert not Notification.objects.exists()
