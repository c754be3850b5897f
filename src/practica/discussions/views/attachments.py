"""Files that came with posts by email: served to those who may see the post, never inline.

Attachments live under MEDIA_ROOT, which is not served as such: the platform runs on intranets
where a closed community's files must stay as closed as its threads. Every download is checked
against the post, and sent as an attachment with its declared type neutralised, so an HTML or
SVG file mailed to a list can never run in the site's origin.
"""

from django.http import FileResponse, Http404, HttpRequest
from django.shortcuts import get_object_or_404
from django.views.decorators.http import require_GET

from practica.discussions.models import PostAttachment
from practica.discussions.permissions import can_view_post


@require_GET
def attachment(request: HttpRequest, pk: int) -> FileResponse:
    row = get_object_or_404(
        PostAttachment.objects.select_related("post", "post__thread", "post__thread__community"),
        pk=pk,
    )
    if not can_view_post(request.user, row.post):
        raise Http404
    try:
        handle = row.file.open("rb")
    except FileNotFoundError as missing:
        raise Http404 from missing
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=row.filename,
        content_type="application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "sandbox"
    return response
