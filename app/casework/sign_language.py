"""A unit's sign-language videos for the picture pages: which one a page shows, and the
rules for linking one (an https address, a known message kind, a short title).

A message page shows the video for its kind, or else the unit's video for every page; the
overview shows the one for every page. A video file (.mp4, .webm) plays on the page
itself, from its own host only (the page's Content-Security-Policy names that host); any
other address is a link that opens the unit's video service.
"""

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from sqlmodel import Session, col, select

from app.errors import N_, InvalidInput
from app.models import EVERY_PAGE, SignVideo, utcnow
from app.outbox.kinds import KINDS

MAX_URL_LENGTH = 500
MAX_TITLE_LENGTH = 80
VIDEO_FILES = {".mp4": "video/mp4", ".webm": "video/webm"}
_HOST = re.compile(
    r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)+"
)


@dataclass(frozen=True)
class ShownVideo:
    """What a page needs to show a video: where it is, what it tells, and how to show it
    (`media_type` for a file the page plays itself, else None: a link)."""

    url: str
    title: str
    media_type: str | None
    origin: str


def page_kinds() -> list[str]:
    """The message kinds that have a picture page of their own (answers by SMS do not)."""
    return [kind for kind, spec in KINDS.items() if not spec.reply]


def check_url(url: str) -> str:
    """The address as stored, or InvalidInput: https only, a host, no user or password in
    it (a page must never send a client's browser somewhere with credentials)."""
    text = url.strip()
    if not text:
        raise InvalidInput({"url": N_("Fill this in.")})
    if len(text) > MAX_URL_LENGTH or any(c.isspace() for c in text):
        raise InvalidInput({"url": N_("Give one web address, without spaces.")})
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError:
        raise InvalidInput({"url": N_("Give one web address, without spaces.")}) from None
    if parts.scheme != "https" or not parts.hostname:
        raise InvalidInput({"url": N_("The address must begin with https://.")})
    if parts.username is not None or parts.password is not None:
        raise InvalidInput({"url": N_("Give the address without a user name or password.")})
    # A plain host name (an international one in its xn-- form): the page's policy names it.
    if not _HOST.fullmatch(parts.hostname) or (port is not None and not 0 < port < 65536):
        raise InvalidInput({"url": N_("Give one web address, without spaces.")})
    return text


def media_type(url: str) -> str | None:
    """'video/mp4' or 'video/webm' for a video file the page can play, else None."""
    path = urlsplit(url).path.lower()
    return next((t for ext, t in VIDEO_FILES.items() if path.endswith(ext)), None)


def origin(url: str) -> str:
    """https://host[:port] of an address: what a Content-Security-Policy names."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.hostname}" + (f":{parts.port}" if parts.port else "")


def of_unit(session: Session, unit_id: int) -> list[SignVideo]:
    """The unit's videos: the one for every page first, then by kind."""
    found = session.exec(select(SignVideo).where(col(SignVideo.unit_id) == unit_id)).all()
    order = {kind: i for i, kind in enumerate([EVERY_PAGE, *page_kinds()])}
    return sorted(found, key=lambda v: (order.get(v.kind, len(order)), v.kind))


def save(
    session: Session, unit_id: int, *, kind: str, url: str, title: str
) -> tuple[SignVideo, bool]:
    """Link a video to a kind's pages (kind EVERY_PAGE: every page), replacing the one the
    kind had. Returns the video and whether it replaced another. The caller commits."""
    errors: dict[str, str] = {}
    if kind != EVERY_PAGE and kind not in page_kinds():
        errors["kind"] = N_("Choose one of the options.")
    clean_title = " ".join(title.split())
    if not clean_title:
        errors["title"] = N_("Fill this in.")
    elif len(clean_title) > MAX_TITLE_LENGTH:
        errors["title"] = N_("This is too long.")
    try:
        clean_url = check_url(url)
    except InvalidInput as exc:
        errors |= exc.errors
    if errors:
        raise InvalidInput(errors)
    video = session.exec(
        select(SignVideo).where(col(SignVideo.unit_id) == unit_id, col(SignVideo.kind) == kind)
    ).first()
    replaced = video is not None
    if video is None:
        video = SignVideo(unit_id=unit_id, kind=kind, url=clean_url, title=clean_title)
    else:
        video.url, video.title, video.updated_at = clean_url, clean_title, utcnow()
    session.add(video)
    session.flush()
    return video, replaced


def for_page(session: Session, unit_id: int, kind: str | None) -> ShownVideo | None:
    """The video a page shows: the kind's own, else the one for every page (the overview,
    kind None, shows that one), or None."""
    wanted = [EVERY_PAGE] if kind is None else [kind, EVERY_PAGE]
    found = {
        v.kind: v
        for v in session.exec(
            select(SignVideo).where(
                col(SignVideo.unit_id) == unit_id, col(SignVideo.kind).in_(wanted)
            )
        ).all()
    }
    video = next((found[k] for k in wanted if k in found), None)
    if video is None:
        return None
    return ShownVideo(video.url, video.title, media_type(video.url), origin(video.url))
