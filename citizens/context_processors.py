from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject


def notifications(request: HttpRequest) -> dict[str, object]:
    """`unread_notifications` for the header, counted only when a template uses it."""
    from citizens.notifications import unread_count

    return {"unread_notifications": SimpleLazyObject(lambda: unread_count(request.user))}
