"""Staff words for stored values (statuses, channels, roles …) and for catalog entries."""

from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_datetime
from flask import Flask, current_app

from app.admin.words import N_, _, staff_language
from app.casework import catalog
from app.casework.contact_needs import INTERPRETER_LANGUAGES
from app.models import Intent
from app.words.i18n import catalogs
from app.words.languages import get_language

LABELS: dict[str, str] = {
    # outbox statuses
    "pending": N_("Waiting"),
    "sending": N_("Sending"),
    "sent": N_("Sent"),
    "delivered": N_("Delivered"),
    "undelivered": N_("Not delivered"),
    "failed": N_("Failed"),
    "cancelled": N_("Cancelled"),
    "skipped": N_("Not sent"),
    # channels
    "sms": N_("Text message"),
    "voice": N_("Phone call"),
    "both": N_("Text and phone call"),
    "email": N_("E-mail"),
    "admin": N_("Staff"),
    # privacy
    "full": N_("Full text"),
    "discreet": N_("Discreet"),
    # consent methods
    "written": N_("In writing"),
    "verbal": N_("Verbally"),
    "integration": N_("Through the case system"),
    # roles
    "caseworker": N_("Case worker"),
    "god_man": N_("God man (guardian)"),
    "forvaltare": N_("Förvaltare (administrator)"),
    "relative": N_("Relative"),
    "other": N_("Other"),
    # appointments
    "office": N_("At the office"),
    "home": N_("At home"),
    "phone": N_("By phone"),
    "video": N_("By video"),
    "planned": N_("Planned"),
    "confirmed": N_("Confirmed"),
    "declined": N_("Declined"),
    # checklists
    "open": N_("Open"),
    "complete": N_("Complete"),
    # decisions
    "approved": N_("Approved"),
    "partly_approved": N_("Partly approved"),
    "refused": N_("Refused"),
    "ended": N_("Ended"),
    "changed": N_("Changed"),
    "draft": N_("Draft"),
    "announced": N_("Heads-up sent"),
    "decided": N_("Decided"),
    "withdrawn": N_("Withdrawn"),
    # application steps ("decided" and "withdrawn" as for decisions)
    "received": N_("Received"),
    "investigating": N_("Being investigated"),
    "comment": N_("Sent for comment"),
    "waiting": N_("Granted, not started"),
    "started": N_("Support started"),
    "closed": N_("Closed"),
    # handovers
    "permanent": N_("For good"),
    "absence": N_("During an absence"),
}

KIND_LABELS: dict[str, str] = {
    "welcome": N_("Welcome"),
    "representative_welcome": N_("Welcome to a representative"),
    "representative_overview": N_("Overview link to a representative"),
    "appointment_reminder": N_("Meeting reminder"),
    "appointment_changed": N_("Meeting changed"),
    "appointment_cancelled": N_("Meeting cancelled"),
    "feedback_request": N_("Question after a meeting"),
    "checklist_request": N_("Documents asked for"),
    "checklist_reminder": N_("Documents reminder"),
    "documents_received": N_("Documents received"),
    "checklist_complete": N_("All documents received"),
    "checklist_overdue": N_("Documents late: help offered"),
    "checklist_due_moved": N_("Documents: new due date"),
    "document_unclear": N_("Document sent back"),
    "decision_heads_up": N_("Decision coming"),
    "decision_approved": N_("Decision: approved"),
    "decision_partly_approved": N_("Decision: partly approved"),
    "decision_refused": N_("Decision: refused"),
    "decision_ended": N_("Decision: ended"),
    "decision_changed": N_("Decision: changed"),
    "support_ending": N_("Support is ending"),
    "application_received": N_("Application received"),
    "application_investigating": N_("Application being investigated"),
    "application_comment": N_("Investigation sent for comment"),
    "application_comment_reminder": N_("Reminder: comment on the investigation"),
    "support_waiting": N_("Support granted: expected start"),
    "support_delayed": N_("Support delayed"),
    "support_started": N_("Support started"),
    "handover_permanent": N_("New case worker"),
    "handover_absence": N_("Stand-in during absence"),
    "absence_ended": N_("Case worker back"),
    "callback_confirmation": N_("We will call you"),
    "picture_link": N_("Link to the page with pictures"),
    "staff_message": N_("Message from staff"),
}

INTENT_LABELS: dict[str, str] = {  # keyed by Intent, looked up by the stored string
    Intent.OPTION_1: N_("Asked for the next meeting"),
    Intent.OPTION_2: N_("Asked which documents are missing"),
    Intent.OPTION_3: N_("Asked about a decision"),
    Intent.OPTION_6: N_("Asked who their contact is"),
    Intent.OPTION_7: N_("Asked how to complain"),
    Intent.OPTION_8: N_("Asks for another case worker"),
    Intent.OPTION_9: N_("Asked what support there is"),
    Intent.COMPLAINT: N_("Complaint or feedback"),
    Intent.NEW_CASEWORKER: N_("Why they want another case worker"),
    Intent.CALL: N_("Asked to be called"),
    Intent.FREE_TEXT: N_("Own words"),
    Intent.HELP: N_("Asked for the menu"),
    Intent.LANGUAGE: N_("Asked to change language"),
    Intent.LANGUAGE_SET: N_("Changed language"),
    Intent.YES: N_("Said yes to a meeting"),
    Intent.NO: N_("Said no to a meeting"),
    Intent.START: N_("Wants messages again"),
    Intent.STOP: N_("Wants no more messages"),
    Intent.FEEDBACK: N_("Answered the question after a meeting"),
    Intent.UNKNOWN_SENDER: N_("Unknown number"),
    Intent.ERROR: N_("Could not be read automatically"),
}

# The field in each catalog that names an entry for staff.
CATALOG_LABEL_FIELD = {
    "services": "name",
    "documents": "name",
    "applications": "name",
    "purposes": "sentence",
    "reasons": "sentence",
    "delays": "sentence",
    "next_steps": "sentence",
    "paper_problems": "sentence",
}


def label(value: str | None) -> str:
    """A stored value in staff words ('pending' -> 'Väntar')."""
    if not value:
        return ""
    return _(LABELS[value]) if value in LABELS else value


def kind_label(kind: str) -> str:
    """A message kind in staff words; answers in a text conversation are 'Automatic reply'."""
    if kind in KIND_LABELS:
        return _(KIND_LABELS[kind])
    if kind.startswith("answer_"):  # a case worker's ready answer (app/casework/ready_answers.py)
        from app.casework.ready_answers import LABELS as ANSWERS

        return _("Ready answer: %(answer)s", answer=_(ANSWERS.get(kind[7:], kind)))
    return _("Automatic reply") if kind.startswith("reply_") else kind


def intent_label(intent: str | None) -> str:
    """What the automatic reading understood a text to be, in staff words."""
    if not intent:
        return ""
    return _(INTENT_LABELS[intent]) if intent in INTENT_LABELS else intent


def language_label(code: str | None) -> str:
    """A client language's name in the staff language ('arabiska')."""
    return catalogs().formatter(staff_language()).language_name(code or "sv")


def interpreter_label(code: str | None) -> str:
    """The language an interpreter is needed in, named in the staff language ('tigrinja');
    a code not on the list (edited by hand) as it is."""
    if not code:
        return ""
    return _(INTERPRETER_LANGUAGES[code]) if code in INTERPRETER_LANGUAGES else code


def html_lang(code: str | None) -> str:
    """A client language's BCP 47 tag for a lang attribute ("prs" is "fa-AF"); "" when the
    language is unknown (an unknown sender), which HTML reads as "unknown", not Swedish."""
    return get_language(code).bcp47 if code else ""


def text_direction(code: str | None) -> str:
    """The direction a client language is written in: "rtl" or "ltr"; "auto" (let the
    text decide) when the language is unknown."""
    return get_language(code).direction if code else "auto"


def catalog_label(name: str, key: str) -> str:
    """A catalog entry (a service, a document …) as staff read it: the Swedish client word,
    or its English translation when the staff interface is in English."""
    directory = Path(current_app.config["MESSAGES_DIR"]) / "catalog"
    try:
        text = catalog.entry(directory, name, key)[CATALOG_LABEL_FIELD[name]]
    except (catalog.UnknownCatalogKey, KeyError):
        return key
    if staff_language() != "en":
        return text
    english = catalogs().catalogs["en"]  # the client catalog's English: one translation
    return english.gettext(text)


def catalog_options(name: str) -> list[tuple[str, str]]:
    """Every entry of a catalog as (key, staff label), for select boxes."""
    directory = Path(current_app.config["MESSAGES_DIR"]) / "catalog"
    return [(key, catalog_label(name, key)) for key in catalog.entries(directory, name)]


def options(*values: str) -> list[tuple[str, str]]:
    """(value, staff label) pairs for a select box or radio group."""
    return [(value, label(value)) for value in values]


def moment(value: datetime | None) -> str:
    """A moment in the unit's time zone, short: 'mån 23 nov. 14:30' (the year when not this
    year)."""
    if value is None:
        return ""
    local = value.astimezone(ZoneInfo(current_app.config["TIMEZONE"]))
    this_year = local.year == datetime.now(local.tzinfo).year
    pattern = "EEE d MMM HH:mm" if this_year else "EEE d MMM y HH:mm"
    return format_datetime(local, pattern, locale=staff_language())


def day(value: date | None) -> str:
    """A date with its weekday: 'mån 23 nov. 2026'."""
    if value is None:
        return ""
    return format_date(value, "EEE d MMM y", locale=staff_language())


def init_app(app: Flask) -> None:
    """Give templates filters for labels, catalog entries, moments, dates and phones."""
    from app.casework.contacts import display_phone
    from app.phone import mask_phone

    app.jinja_env.filters["label"] = label
    app.jinja_env.filters["kind_label"] = kind_label
    app.jinja_env.filters["language_label"] = language_label
    app.jinja_env.filters["interpreter_label"] = interpreter_label
    app.jinja_env.filters["html_lang"] = html_lang
    app.jinja_env.filters["text_direction"] = text_direction
    app.jinja_env.filters["intent_label"] = intent_label
    app.jinja_env.filters["moment"] = moment
    app.jinja_env.filters["day"] = day
    app.jinja_env.filters["phone"] = display_phone
    app.jinja_env.filters["masked"] = mask_phone
    app.jinja_env.filters["catalog_label"] = lambda key, name: catalog_label(name, key)
