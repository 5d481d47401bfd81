"""A message as an e-mail: the same composition as the picture page (its rows, each with
its pictogram), in an accessible HTML part with a plain-text alternative.

The words around the message (subject, the page link's button, how to answer or stop) are
client words like any other: messages/_email.j2, in every language. The subject says what
the message is about in general words only (a meeting, papers, a decision), never the
client's details; for a discreet client it names only the sender, and the body is the
discreet text (that there is a message, how to hear it, the link and that it needs the PIN).

Pictures go inline as attachments referenced by Content-ID (e-mail programs load no
outside pictures, and many show no SVG): each pictogram is rendered to PNG with
`rsvg-convert` (Debian's librsvg2-bin) when it is installed, else attached as SVG. Nothing
is loaded from outside and no link is rewritten: the mail carries no tracking.
"""

import functools
import logging
import shutil
import subprocess
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import format_datetime, formataddr, parseaddr
from pathlib import Path

from flask import current_app, render_template

from app.models import utcnow
from app.pages.pictograms import resolve
from app.words.compose import DISCREET_TEMPLATE, Row, compose
from app.words.i18n import catalogs
from app.words.languages import get_language

log = logging.getLogger(__name__)

FRAME = "_email"
CONVERTER = "rsvg-convert"
PICTURE_PIXELS = 96  # shown at 48 CSS pixels: sharp on high-density screens
# What the message is about, as the subject may say it (messages/_email.j2); other kinds
# get the general subject.
TOPICS = ("appointment", "checklist", "decision", "handover")


@dataclass(frozen=True)
class Picture:
    """One pictogram as attached: its Content-ID, bytes, type and alt text."""

    cid: str
    content: bytes
    subtype: str  # "png", or "svg+xml" without a converter
    alt: str


@dataclass(frozen=True)
class Mail:
    """A message composed as an e-mail: the MIME message and its plain-text part (what the
    outbox keeps as the message's text)."""

    message: EmailMessage
    text: str
    lang: str


@functools.lru_cache(maxsize=256)
def _png(path: Path, modified: float, converter: str) -> bytes | None:
    """The SVG at `path` as PNG, or None when the converter fails (cached per file
    version)."""
    try:
        done = subprocess.run(
            [converter, "--width", str(PICTURE_PIXELS), "--keep-aspect-ratio", "--format", "png",
             str(path)],
            capture_output=True,
            check=True,
            timeout=20,
        )  # fmt: skip
    except (OSError, subprocess.SubprocessError):
        log.warning("Could not render pictogram %s as PNG; attached as SVG", path.name)
        return None
    return done.stdout


def picture(key: str, lang: str) -> Picture | None:
    """The row's pictogram to attach, or None when the key has none."""
    found = resolve(key)
    if found is None or not found.path.is_file():
        return None
    converter = shutil.which(CONVERTER)
    png = _png(found.path, found.path.stat().st_mtime, converter) if converter else None
    alt = catalogs().gettext(lang, found.alt)
    cid = f"pictogram-{found.key}"
    if png is None:
        return Picture(cid, found.path.read_bytes(), "svg+xml", alt)
    return Picture(cid, png, "png", alt)


def _frame(facts: dict, lang: str, topic: str) -> dict[str, str]:
    """The words around the message, by row key (subject, pin, link, message, stop)."""
    frame_facts = facts | {"topic": "" if facts.get("discreet") else topic}
    rows = compose(FRAME, frame_facts, lang, "page").rows
    return {row.picture: row.text for row in rows}


def compose_mail(
    kind: str,
    facts: dict,
    lang: str,
    *,
    to: str,
    topic: str,
    link: str | None,
    message_id: int,
) -> Mail:
    """The e-mail of one message: subject, HTML with inline pictures, plain text, the page
    link, the unit as sender. A discreet client's mail carries only the discreet text."""
    discreet = bool(facts.get("discreet"))
    body_facts = facts | {"link": None}  # the link is the mail's button, not a row
    composition = compose(DISCREET_TEMPLATE if discreet else kind, body_facts, lang, "page")
    language = get_language(composition.lang)
    frame = _frame(facts, language.code, topic)
    subject = frame.get("subject", "")
    rows = list(composition.rows)
    if discreet and "pin" in frame:
        rows.append(Row("pin", frame["pin"]))
    pictures: dict[str, Picture] = {}
    shown = []
    for row in rows:
        found = picture(row.picture, language.code)
        if found is not None:
            pictures.setdefault(found.cid, found)
        shown.append({"text": row.text, "picture": found})
    text = _plain(subject, rows, frame, link)
    html = render_template(
        "email/message.html",
        lang=language.bcp47,
        dir=language.direction,
        subject=subject,
        rows=shown,
        link=link,
        link_text=frame.get("link", ""),
        answer=frame.get("message", ""),
        stop=frame.get("stop", ""),
    )
    message = _envelope(facts.get("sender", ""), to, subject, message_id)
    message.set_content(text)
    message.add_alternative(html, subtype="html")
    message["Content-Language"] = language.bcp47  # after the content: set_content clears it
    html_part = message.get_body(("html",))
    for found in pictures.values():
        if html_part is None:  # never: added just above
            break
        html_part.add_related(
            found.content,
            maintype="image",
            subtype=found.subtype,
            cid=f"<{found.cid}>",
            disposition="inline",
            filename=f"{found.cid}.{'png' if found.subtype == 'png' else 'svg'}",
        )
    return Mail(message, text, composition.lang)


def _plain(subject: str, rows: list[Row], frame: dict[str, str], link: str | None) -> str:
    lines = [subject, "", *(row.text for row in rows)]
    if link:
        lines += ["", f"{frame.get('link', '')}: {link}"]
    lines += ["", "--", frame.get("message", ""), frame.get("stop", "")]
    return "\n".join(lines) + "\n"


def _envelope(sender: str, to: str, subject: str, message_id: int) -> EmailMessage:
    """The headers: the unit as sender (MAIL_FROM's address), a Message-ID that stays the
    same when the outbox row is sent again (so a repeat is shown once)."""
    _name, address = parseaddr(current_app.config["MAIL_FROM"] or "tydligt@localhost")
    domain = address.rpartition("@")[2] or "localhost"
    message = EmailMessage()
    message["Subject"] = subject
    message["From"] = formataddr((sender, address)) if sender else address
    message["To"] = to
    message["Date"] = format_datetime(utcnow())
    message["Message-ID"] = f"<outbox-{message_id}@{domain}>"
    message["Auto-Submitted"] = "auto-generated"  # RFC 3834: no out-of-office answers
    return message
