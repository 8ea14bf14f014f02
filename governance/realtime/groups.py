"""The names of the socket groups: who listens where. A group is a routing hint, never a
permission (the consumers check every case message against the scoped-access path)."""

from __future__ import annotations

PUBLIC_GROUP = "public"
BROADCAST_GROUP = "broadcast"


def area_group(code: str) -> str:
    return f"area.{code}"


def department_group(department_id: int) -> str:
    return f"department.{department_id}"


def case_group(case_id: int) -> str:
    """The case's sockets of staff permitted on it: every entry of its timeline."""
    return f"case.{case_id}"


def case_reporter_group(case_id: int) -> str:
    """The case's sockets of its reporter: only the entries the reporter may read, so an
    internal entry causes no message (nor any push to time) on them."""
    return f"case.{case_id}.reporter"


def user_group(user_id: int) -> str:
    return f"user.{user_id}"
