"""The one view every case photo and document is served through, to whom its audience allows.

Staff permitted to view the case get any file, the reporter the files meant for them or the
public, anyone the public files of public cases (`governance.file_access`). Everyone else
gets the same 404 as for a file that does not exist. The stored name is never in a URL.
"""

from __future__ import annotations

from django.http import FileResponse, Http404, HttpRequest
from django.views.decorators.http import require_GET

from governance import audience
from governance.file_access import may_open
from governance.models import Attachment


@require_GET
def attachment(request: HttpRequest, pk: int, size: str = "full") -> FileResponse:
    if size not in ("full", "thumb"):
        raise Http404
    item = Attachment.objects.select_related("case__category", "event").filter(pk=pk).first()
    if item is None or not may_open(request.user, item):
        raise Http404
    stored = item.thumbnail if size == "thumb" and item.thumbnail else item.file
    if not stored:
        raise Http404
    try:
        handle = stored.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    is_image = item.content_type.startswith("image/")
    response = FileResponse(
        handle,
        content_type=item.content_type,
        as_attachment=not is_image,  # a PDF is downloaded, never shown in the site's origin
        filename=f"{item.case.tracking_id}-{item.pk}{item.extension}",
    )
    public = audience.attachment_audience(item) == audience.Audience.PUBLIC
    response["Cache-Control"] = "public, max-age=300" if public else "private, max-age=3600"
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
