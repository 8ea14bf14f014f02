from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject


def notifications(request: HttpRequest) -> dict[str, object]:
    """`unread_notifications` for the header, counted only when a template uses it."""
    from notifications.centre import unread_count

    return {
        "unread_notifications": SimpleLazyObject(lambda: unread_count(request.user)),
        "notification_texts": notification_texts(),
    }


def notification_texts() -> dict[str, str]:
    """How live.js words a notification pushed to the page, by kind, in the page's language
    (the push's own title is in the person's preferred language): "%(id)s" and "%(status)s"
    stand for the tracking id and the status's label; the category is left out."""
    from notifications.models import TITLES

    return {
        str(kind): str(title).replace("%(category)s", "").rstrip(": ：")
        for kind, title in TITLES.items()
    }
