"""Sample facts for every message kind, from the fictional demo people (no database).

Used by `flask preview` and by the tests that hold every text to its budget and to
plain language.
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from app import demo
from app.casework.contacts import display_phone, parse_office_hours
from app.casework.deadlines import add_working_days, appeal_deadline
from app.outbox.kinds import KINDS

SAMPLE_LINK = "https://tydligt.ekby.example/p/Xq3vR8kLm2Tn5wYz7bCd9f"
REASONS = {
    "approved": [],
    "partly_approved": ["need_partly"],
    "refused": ["need_met_otherwise"],
    "ended": ["period_over"],
    "changed": ["need_changed"],
}


# What a case worker might type (staff write Swedish; the words around it are translated).
STAFF_TEXT = "Jag är sjuk i dag. Vi ses på måndag i stället. Du behöver inte ringa."


def _person(staff: dict) -> dict:
    return {
        "name": staff["name"],
        "phone": display_phone(staff["phone"] or demo.UNIT["phone"]),
        "tel": staff["phone"] or demo.UNIT["phone"],
        "hours": parse_office_hours(demo.UNIT["office_hours"]),
        "stands_in_for": "",
    }


def _reply_facts(
    kind: str, lang: str, today: date, meeting: datetime, spec: demo.DemoClient
) -> dict:
    from app.words.languages import languages

    facts: dict = {
        "menu": [1, 2, 3, 4, 5, 6, 7, 8, 9],
        "by": add_working_days(today, 2),
        "asked_next": False,
    }
    if kind in ("reply_appointment", "reply_confirmed", "reply_declined", "reply_cancel_or_stop"):
        facts["appointment"] = {
            "starts_at": meeting,
            "previous_starts_at": None,
            "mode": spec["mode"],
            "location": demo.UNIT["address"] if spec["mode"] == "office" else "",
            "staff_name": demo.STAFF[0]["name"],
            "purpose": spec["purpose"],
            "bring": [k for k in spec["bring"].split(",") if k],
            "response": None,
        }
    if kind == "reply_documents":
        facts["checklist"] = {
            "missing": ["lonespecifikation", "beslut_forsakringskassan"],
            "due_date": today + timedelta(days=7),
        }
    if kind == "reply_languages":
        facts["choices"] = [
            {"number": n, "name": lang.native_name} for n, lang in enumerate(languages(), 1)
        ]
    if kind == "reply_language_set":
        facts["chosen_language"] = lang
    if kind == "reply_support":  # the demo unit's four offers, violence support first
        facts["offers"] = [
            {
                "kind": key,
                "picture": "help",
                "who": offer["who"],
                "phone": display_phone(offer["phone"]) if offer["phone"] else "",
                "tel": offer["phone"],
                "place": offer["place"],
                "hours": offer["hours"],
                "web": offer["web"],
            }
            for key, offer in demo.SUPPORT_OFFERS.items()
        ]
    if kind == "reply_unknown_sender":
        facts["first_name"] = ""
    if kind == "reply_whose":
        facts["holder"] = "Anders Holm"
        facts["choices"] = [
            {"number": 1, "name": spec["first_name"]},
            {"number": 2, "name": "Maja"},
        ]
    return facts


@dataclass(frozen=True)
class Sample:
    """What every sample is made from: the kind, the language's demo client, the day."""

    kind: str
    lang: str
    today: date
    spec: demo.DemoClient

    @property
    def meeting(self) -> datetime:
        """A meeting three days ahead, at 13:00 UTC."""
        day = self.today + timedelta(days=3)
        return datetime.combine(day, datetime.min.time(), UTC).replace(hour=13)

    def appointment(self, **changes) -> dict:
        """The demo client's meeting, as messages describe one."""
        return {
            "starts_at": self.meeting,
            "previous_starts_at": self.meeting - timedelta(days=1),
            "mode": self.spec["mode"],
            "location": demo.UNIT["address"] if self.spec["mode"] == "office" else "",
            "staff_name": demo.STAFF[0]["name"],
            "purpose": self.spec["purpose"],
            "bring": [k for k in self.spec["bring"].split(",") if k],
        } | changes


def _appointment_facts(sample: Sample) -> dict:
    return {"appointment": sample.appointment()}


def _checklist_facts(sample: Sample) -> dict:
    return {
        "checklist": {
            "application": "ekonomiskt_bistand",
            "due_date": sample.today + timedelta(days=7),
            "documents": [
                "hyresavi",
                "kontoutdrag",
                "lonespecifikation",
                "beslut_forsakringskassan",
            ],
            "missing": ["lonespecifikation", "beslut_forsakringskassan"],
            "received": ["hyresavi", "kontoutdrag"],
            "received_now": ["kontoutdrag"],
            "late": False,
            # A paper sent back (document_unclear): which one and why.
            "problems": [{"document": "lonespecifikation", "problem": "wrong_month"}],
        }
    }


def _decision_facts(sample: Sample) -> dict:
    kind, today = sample.kind, sample.today
    outcome = kind.removeprefix("decision_") if kind.startswith("decision_") else "approved"
    amount, unit = sample.spec["scope"] or (None, None)
    return {
        "decision": {
            "service": sample.spec["service"],
            "outcome": outcome,
            "scope_amount": amount,
            "scope_unit": unit,
            "valid_from": today + timedelta(days=10),
            "valid_to": today + timedelta(days=190),
            "reasons": REASONS.get(outcome, []),
            "decided_on": today,
            "expected_on": today + timedelta(days=14),
            "appeal_by": appeal_deadline(today),
            "staff_name": demo.STAFF[0]["name"],
            # Before support ends: the longest notice, with a day to apply by and the
            # line that a new application is assessed anew (LSS).
            "apply_by": today + timedelta(days=130),
            "assessed_again": True,
        }
    }


def _application_facts(sample: Sample) -> dict:
    """An application of the demo client's service, with every step's day (the longest)."""
    today = sample.today
    return {
        "application": {
            "service": sample.spec["service"],
            "step": "received",
            "received_on": today - timedelta(days=2),
            "decision_expected_on": today + timedelta(days=45),
            "answer_by": today + timedelta(days=14),
            "start_expected_on": today + timedelta(days=60),
            "delay_reason": "finding_match",
            "started_on": today,
            "staff_name": demo.STAFF[0]["name"],
        }
    }


def _handover_facts(sample: Sample) -> dict:
    return {
        "handover": {
            "kind": "absence" if sample.kind != "handover_permanent" else "permanent",
            # Told ahead (the unit's handover_notice_days): the longer "from <day>" wording.
            "starts_on": sample.today + timedelta(days=7),
            "ends_on": sample.today + timedelta(days=21),
            "started": False,
            "next_step": "will_call",
            "file_passed_on": True,  # the longest notice: every row said
            "new": _person(demo.STAFF[1]),
            "old": _person(demo.STAFF[0]),
        }
    }


def _reply_sample_facts(sample: Sample) -> dict:
    return _reply_facts(sample.kind, sample.lang, sample.today, sample.meeting, sample.spec)


def _staff_message_facts(sample: Sample) -> dict:
    caseworker = demo.STAFF[0]
    facts: dict[str, object] = {"text": STAFF_TEXT, "author": caseworker["name"]}
    if sample.kind.startswith("answer_"):  # a ready answer names a meeting, a document, a day
        facts |= {
            "me": _person(caseworker),
            "answer_day": add_working_days(sample.today, 2),
            "document": "lonespecifikation",
            "appointment": sample.appointment(previous_starts_at=None, bring=[], response=None),
        }
    return facts


def _callback_facts(sample: Sample) -> dict:
    return {
        "callback": {
            "caller": demo.STAFF[0]["name"],
            "by": add_working_days(sample.today, 2),
            "interpreter": None if sample.lang == "sv" else sample.lang,
        }
    }


def _representative_facts(sample: Sample) -> dict:
    """A god man who gets every kind of copy: the longest welcome to a representative."""
    return {
        "representative": {
            "name": "Anders Holm",
            "role": "god_man",
            "client": sample.spec["first_name"],
            "copies": ["appointments", "documents", "decisions", "handovers"],
        }
    }


# The sample facts of what each kind of message is about (a welcome needs none of its own).
SUBJECT_FACTS = {
    "representative": _representative_facts,
    "appointment": _appointment_facts,
    "checklist": _checklist_facts,
    "decision": _decision_facts,
    "handover": _handover_facts,
    "application": _application_facts,
    "reply": _reply_sample_facts,
    "staff_message": _staff_message_facts,
    "callback": _callback_facts,
}


def sample_facts(
    kind: str,
    lang: str,
    today: date,
    *,
    copy: bool = False,
    discreet: bool = False,
    picture_support: bool = False,
) -> dict:
    """The facts of a kind for the demo client of a language (`picture_support`: a client
    who gets the picture page's link first; never on a copy, as base_facts gives it)."""
    spec = demo.CLIENTS[lang]
    facts = {
        "sender": demo.UNIT["sender_name"],
        "unit_phone": display_phone(demo.UNIT["phone"]),
        "menu_phone": display_phone(demo.UNIT["phone_menu_number"]),
        "first_name": spec["first_name"],
        "discreet": discreet,
        "copy": {"name": "Anders Holm", "role": "god_man", "client": spec["first_name"]}
        if copy
        else None,
        "in_call": False,
        "contact": _person(demo.STAFF[0]),
        "link": SAMPLE_LINK,
        "picture_support": picture_support
        and not copy
        and KINDS[kind].subject_type != "representative",
    }
    subject_facts = SUBJECT_FACTS.get(KINDS[kind].subject_type)
    if subject_facts is not None:
        facts |= subject_facts(Sample(kind, lang, today, spec))
    return facts
