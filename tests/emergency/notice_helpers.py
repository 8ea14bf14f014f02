"""Shared set-up of the notice tests: a notice sent by the district dispatcher."""

from __future__ import annotations

from emergency.notices import send_notice


def notice_to(sender, areas, roles=("officer", "leader", "dispatcher", "lead_officer"), **more):
    target = {"areas": [a.pk for a in areas], "roles": list(roles), **more.pop("target", {})}
    return send_notice(
        sender=sender,
        title=more.pop("title", "暴雨红色预警"),
        title_en=more.pop("title_en", "Red rainstorm warning"),
        body=more.pop("body", "请立即到岗"),
        target=target,
        **more,
    )
