"""Administrators manage grants and API keys and read the access log (which nobody edits)."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from governance.models import AccessLog, ApiKey, SharingGrant
from governance.privacy import contact_for


def test_admin_pages(client, scenario, people):
    contact_for(people.street_leader, scenario.case_a, via="page")
    client.force_login(people.admin)
    for path in (
        "/admin/governance/sharinggrant/",
        f"/admin/governance/sharinggrant/{scenario.grant.pk}/change/",
        "/admin/governance/accesslog/",
        "/admin/governance/apikey/",
        "/admin/governance/apikey/add/",
    ):
        assert client.get(path).status_code == 200, path
    log = AccessLog.objects.get()
    assert client.get(f"/admin/governance/accesslog/{log.pk}/delete/").status_code == 403
    assert client.get("/admin/governance/accesslog/add/").status_code == 403


def test_an_administrator_grants_sharing(client, scenario, people, city):
    client.force_login(people.admin)
    response = client.post(
        "/admin/governance/sharinggrant/add/",
        {
            "department": city.department.pk,
            "area": city.street_b.pk,
            "categories": [city.urgent_category.pk],
            "with_personal_data": "on",
            "expires_at_0": (timezone.localdate() + timedelta(days=7)).isoformat(),
            "expires_at_1": "12:00:00",
            "note": "联合执法",
            "created_at_0": timezone.localdate().isoformat(),
            "created_at_1": "08:00:00",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert SharingGrant.objects.filter(department=city.department, with_personal_data=True)


def test_an_administrator_creates_an_api_key(client, people, db):
    client.force_login(people.admin)
    response = client.post(
        "/admin/governance/apikey/add/", {"name": "app", "active": "on"}, follow=True
    )
    key = ApiKey.objects.get(name="app")
    message = " ".join(str(m) for m in response.context["messages"])
    assert key.key_hash not in message
    assert any(ApiKey.objects.verify(word) == key for word in message.split())
