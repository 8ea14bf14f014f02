"""Case photos and documents, served only to those who may see the case."""

from __future__ import annotations

from django.http import FileResponse, Http404, HttpRequest
from django.views.decorators.http import require_GET

from governance.access import Action, cases_for
from governance.models import Attachment


@require_GET
def attachment(request: HttpRequest, pk: int, size: str = "full") -> FileResponse:
    item = (
        Attachment.objects.filter(pk=pk, case__in=cases_for(request.user, Action.VIEW))
        .only("file", "thumbnail", "content_type")
        .first()
    )
    if item is None:
        raise Http404
    stored = item.thumbnail if size == "thumb" and item.thumbnail else item.file
    response = FileResponse(stored.open("rb"), content_type=item.content_type)
    response["Cache-Control"] = "private, max-age=3600"
    response["X-Content-Type-Options"] = "nosniff"
    return response
