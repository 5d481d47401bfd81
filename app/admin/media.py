"""Pictures and recordings opened through the app: the provider's own links may be public,
so staff never get them. The app fetches the file with the account's credentials, for
staff who may see the client (or, for a text or call from an unknown number, staff of the
unit it reached), and hands it on without letting the browser keep a copy."""

import logging
import mimetypes

from flask import Response, current_app, render_template

from app.admin import bp
from app.admin.access import row_or_404
from app.models import CallbackRequest, InboundMessage
from app.models.messaging import ProviderItem
from app.transports import StoredFileGone, TransportError, get_provider

log = logging.getLogger(__name__)

# Shown in the browser; anything else is offered as a download of unknown type, so a file
# a sender made up (a web page, an SVG with a script) never runs on the admin page's origin.
INLINE_TYPES = frozenset(
    {
        "image/jpeg",
        "image/png",
        "image/gif",
        "image/webp",
        "image/bmp",
        "image/heic",
        "image/heif",
        "application/pdf",
        "audio/mpeg",
        "audio/mp4",
        "audio/ogg",
        "audio/wav",
        "audio/x-wav",
        "audio/amr",
        "video/mp4",
        "video/3gpp",
        "video/quicktime",
    }
)


def _not_kept(*, unreachable: bool = False) -> tuple[str, int]:
    page = render_template(
        "admin/media_gone.html",
        unreachable=unreachable,
        days=current_app.config["MESSAGE_RETENTION_DAYS"],
    )
    return page, 502 if unreachable else 410


def _serve(item: str, ref: str, name: str) -> Response | tuple[str, int]:
    """The file from the provider, or a page saying why there is none."""
    try:
        stored = get_provider().fetch_stored(item, ref)
    except StoredFileGone:
        return _not_kept()
    except TransportError as exc:
        log.warning("Could not fetch a %s from the provider: %s", item, exc)
        return _not_kept(unreachable=True)
    content_type = stored.content_type.split(";")[0].strip().lower()
    inline = content_type in INLINE_TYPES
    extension = (mimetypes.guess_extension(content_type) or "") if inline else ""
    response = Response(
        stored.content, mimetype=content_type if inline else "application/octet-stream"
    )
    response.headers["Content-Disposition"] = (
        f'{"inline" if inline else "attachment"}; filename="{name}{extension}"'
    )
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/media/inbound/<int:message_id>/<int:number>")
def inbound_media(message_id: int, number: int):
    """Picture (or file) `number` (from 1) sent with a text."""
    inbound, _client = row_or_404(InboundMessage, message_id)
    urls = [line.strip() for line in inbound.media.splitlines() if line.strip()]
    if not 1 <= number <= len(urls):
        return _not_kept()  # retention removed it here (and at the provider)
    return _serve(ProviderItem.MEDIA, urls[number - 1], f"picture-{message_id}-{number}")


@bp.route("/media/callback/<int:request_id>")
def callback_recording(request_id: int):
    """The message a caller recorded for the case worker."""
    callback, _client = row_or_404(CallbackRequest, request_id)
    if not callback.recording_url:
        return _not_kept()
    return _serve(ProviderItem.RECORDING, callback.recording_url, f"recording-{request_id}")
