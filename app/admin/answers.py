"""Answering a client: the ready answers on the answer form, and the live plain-language
check of typed words (LIX and jargon) the form shows as the case worker types."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask import get_template_attribute, jsonify, request
from sqlmodel import Session

from app.admin import bp
from app.admin.forms import Form
from app.admin.labels import catalog_label
from app.admin.words import _
from app.casework import ready_answers, staff_messages
from app.errors import InvalidInput
from app.models import Client, InboundMessage, StaffUser
from app.words import plain_language
from app.words.compose import Composition
from app.words.languages import SOURCE_LANGUAGE

OWN_WORDS = "own"


def choices() -> list[tuple[str, str]]:
    """The answer form's options: each ready answer, then the case worker's own words."""
    return [(key, _(ready_answers.LABELS[key])) for key in ready_answers.NEEDS] + [
        (OWN_WORDS, _("My own words (sent as I write them)"))
    ]


@dataclass
class Preview:
    """What the recipient would get, and (when they read another language) the Swedish."""

    reader: Composition
    swedish: Composition | None
    plain: dict | None  # the plain-language check of typed words


def read_answer(
    form: Form, session: Session, client: Client, now: datetime
) -> tuple[ready_answers.Answer | None, str]:
    """The ready answer or the typed text the form holds (errors go to the form). With no
    choice made, the form is read as the case worker's own words."""
    if not form.value("answer"):
        form.data = form.data.copy()
        form.data["answer"] = OWN_WORDS
    choice = form.choice("answer", [key for key, _label in choices()])
    if choice == OWN_WORDS:
        return None, form.text("text", required=True, max_length=staff_messages.MAX_LENGTH)
    if not form.ok:
        return None, ""
    appointment = form.value("appointment")
    try:
        answer = ready_answers.choose(
            session,
            client,
            choice,
            appointment_id=int(appointment) if appointment.isdigit() else None,
            document=form.value("document") or None,
            day=form.day("day", required=False) if ready_answers.NEEDS[choice].day else None,
            now=now,
        )
    except InvalidInput as exc:
        form.absorb(exc)
        return None, ""
    return answer, ""


def preview(
    session: Session,
    client: Client,
    *,
    answer: ready_answers.Answer | None,
    text: str,
    author: StaffUser,
    now: datetime,
    in_reply_to: InboundMessage | None = None,
) -> Preview:
    """The message in the recipient's language, with the Swedish beside it when that is
    another language, and the plain-language check of typed words."""
    kwargs: dict[str, Any] = dict(
        text=text, author=author, now=now, in_reply_to=in_reply_to, answer=answer
    )
    reader = staff_messages.preview(session, client, **kwargs)
    swedish = None
    if reader.lang != SOURCE_LANGUAGE or reader.fallback:
        swedish = staff_messages.preview(session, client, language=SOURCE_LANGUAGE, **kwargs)
    plain = check(text) if answer is None else None
    return Preview(reader, swedish, plain)


def check(text: str) -> dict:
    """The plain-language check of typed words, with one sentence about it for staff."""
    result = plain_language.check(staff_messages.clean(text))
    return result | {"summary": summary(result)}


@bp.route("/plain-language", methods=["POST"])
def plain_language_check():
    """The LIX and the jargon of typed words, for the live check under an answer's text
    box (a POST with the form's CSRF token, so the words stay out of URLs and logs)."""
    result = check(request.form.get("text", "")[: staff_messages.MAX_LENGTH * 2])
    macro = get_template_attribute("admin/inbox/_plain_language.html", "plain_language_result")
    return jsonify(result | {"html": str(macro(result))})


def summary(result: dict) -> str:
    """One sentence for staff about a plain-language check."""
    if not result["words"]:
        return _("Write short sentences with everyday words.")
    if result["too_hard"]:
        return _(
            "LIX %(lix)s: harder than our limit of %(limit)d. Use shorter sentences and words.",
            lix=f"{result['lix']:.0f}",
            limit=result["limit"],
        )
    return _(
        "LIX %(lix)s: easy to read (our limit is %(limit)d).",
        lix=f"{result['lix']:.0f}",
        limit=result["limit"],
    )


def initial(session: Session, client: Client, reads: str, now: datetime) -> dict:
    """The answer form as first shown: the client's next meeting, the first document still
    missing and the usual day filled in; own words already chosen only for a reader of
    Swedish (anyone else is offered the ready answers first)."""
    meetings = ready_answers.meetings(session, client, now)
    missing = ready_answers.missing_documents(session, client)
    return {
        "mark_handled": "1",
        "answer": OWN_WORDS if reads == SOURCE_LANGUAGE else "",
        "appointment": str(meetings[0].id) if meetings else "",
        "document": missing[0] if missing else "",
        "day": ready_answers.default_day("text_received", now).isoformat(),
    }


def form_options(session: Session, client: Client, now: datetime) -> dict:
    """What the answer form offers: the answers, the client's planned meetings, and the
    documents (those still missing on an open checklist first)."""
    missing = ready_answers.missing_documents(session, client)
    return {
        "choices": choices(),
        "meetings": ready_answers.meetings(session, client, now),
        "missing": [(key, catalog_label("documents", key)) for key in missing],
        "documents": [
            (key, catalog_label("documents", key))
            for key in ready_answers.document_keys()
            if key not in missing
        ],
    }
