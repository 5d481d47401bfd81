"""A decision's plain summary as each recipient will get it, before anything is sent: the
client and every representative who gets a copy, each in their own language with the
Swedish beside it for staff (the SMS as it will be sent, its size against the budget, what
it would leave out), the client's picture page, LIX of the Swedish text, and when it goes.

The preview has a fingerprint: a keyed hash of the decision's version and of every text
each recipient would get. Sending compares it with the fingerprint of what would be sent
then, so a confirm never sends something other than what the case worker saw.
"""

import hashlib
import hmac
import json
from datetime import datetime
from typing import Any

from babel.numbers import format_decimal
from flask import current_app
from sqlmodel import Session

from app.admin.words import N_, _, staff_language
from app.casework import decisions
from app.models import Client, Decision, Representative, Unit, utcnow
from app.outbox import phone_hours
from app.outbox.facts import base_facts
from app.outbox.kinds import get_kind
from app.outbox.planner import local_zone, representatives_for
from app.pages import links, views
from app.voice import inventory
from app.words.compose import Composition, compose
from app.words.languages import SOURCE_LANGUAGE, get_language
from app.words.plain_language import lix
from app.words.preview import sms_costs

# A real page link is a 16-byte token: 22 URL-safe characters. The preview's stand-in has
# the same length, so the segment count is what the client's message will cost.
PREVIEW_TOKEN = "x" * 22
# What an SMS over its budget may leave out, by the row's pictogram (messages/_decision.j2).
DROPPED_LABELS = {
    "scope": N_("the extent"),
    "calendar": N_("the dates"),
    "reason": N_("the reasons"),
    "letter": N_("that the letter is the formal decision"),
    "help": N_("who can help"),
    "clock": N_("when to call"),
}
LIX_BANDS = ((30, N_("very easy")), (40, N_("easy")), (50, N_("medium")))


def _lix_band(value: float) -> str:
    return _(next((band for limit, band in LIX_BANDS if value < limit), N_("hard")))


def reach_problem(client: Client) -> str | None:
    """Why a planned message will not reach the client at all, in staff words (shown
    above the form and in the flash after sending), or None."""
    if client.opted_out_at is not None:
        return _(
            "%(name)s has said no to text messages: nothing will be sent.", name=client.first_name
        )
    if client.consent_at is None:
        return _(
            "No consent is recorded for %(name)s: nothing will be sent.", name=client.first_name
        )
    if client.unreachable_at is not None:
        return _("The phone number could not be reached last time. Check it first.")
    return None


def _held(client: Client, representative: Representative | None) -> str | None:
    """Why the sweep would not send this recipient's message, in staff words (as
    app/outbox/prepare.py decides it), or None when it goes."""
    if client.consent_at is None:
        return _("Not sent: no consent is recorded for %(name)s.", name=client.first_name)
    if representative is None and client.opted_out_at is not None:
        return _("Not sent: %(name)s has said no to text messages.", name=client.first_name)
    if representative is None and client.unreachable_at is not None:
        return _("Not sent: the phone number could not be reached last time. Check it first.")
    return None


def _version(kind: str, facts: dict, code: str) -> dict:
    """One language's SMS as it will be sent (in parts when it is too long for one)."""
    sms = compose(kind, facts | {"link": links.url(PREVIEW_TOKEN)}, code, "sms")
    written = get_language(SOURCE_LANGUAGE if sms.fallback else code)
    return {
        "code": code,
        "sms": sms,
        "parts": list(sms.parts or (sms.text,)),
        "html_lang": written.babel_locale.replace("_", "-"),
        "direction": written.direction,
        "has_link": PREVIEW_TOKEN in sms.text,
        "dropped": [
            _(DROPPED_LABELS.get(key, N_("a detail"))) for key in dict.fromkeys(sms.dropped)
        ],
    }


def _recipient(
    client: Client,
    representative: Representative | None,
    kind: str,
    facts: dict,
) -> dict[str, Any]:
    """What one recipient gets: the SMS in their language, and in Swedish beside it."""
    code = get_language(representative.language if representative else client.language).code
    versions = [
        _version(kind, facts, language) for language in dict.fromkeys((code, SOURCE_LANGUAGE))
    ]
    return {
        "representative": representative,
        "name": representative.name
        if representative
        else f"{client.first_name} {client.last_name}",
        "language": code,
        "channel": "sms",
        "held": _held(client, representative),
        "versions": versions,
    }


def _fingerprint(decision: Decision, kind: str, record: dict, recipients: list[dict]) -> str:
    """A keyed hash of the decision's version and facts, and of every text each recipient
    gets."""
    content = {
        "decision": decision.id,
        "version": decision.version,
        "kind": kind,
        "facts": record,
        "recipients": [
            [
                r["representative"].id if r["representative"] else None,
                r["language"],
                r["channel"],
                r["held"] is not None,
                r["versions"][0]["parts"],
            ]
            for r in recipients
        ],
    }
    canonical = json.dumps(content, sort_keys=True, ensure_ascii=False, default=str).encode()
    key = str(current_app.config["SECRET_KEY"]).encode()
    return hmac.new(key, canonical, hashlib.sha256).hexdigest()


def same_fingerprint(preview: dict, fingerprint: str) -> bool:
    """Whether a confirm's fingerprint is the one of this preview (in constant time).
    Anything posted, even a letter outside ASCII, is only a changed preview."""
    # compare_digest takes str only in ASCII: bytes compare anything
    posted = (fingerprint or "").encode("utf-8", "surrogatepass")
    return hmac.compare_digest(preview["fingerprint"].encode(), posted)


def _goes_at(session: Session, client: Client, kind: str, now: datetime) -> dict:
    """When the message goes out: `at` None for at once, else when the sending window
    opens or, for bad news, the contact's phone hours (`phone_hours` true)."""
    unit = session.get(Unit, client.unit_id)
    opens = phone_hours.next_moment(get_kind(kind), unit, now, local_zone())
    return {
        "at": opens if opens > now else None,
        "phone_hours": phone_hours.is_held(get_kind(kind), unit, now, local_zone()),
    }


def heads_up_state(session: Session, kind: str, decision: Decision) -> str | None:
    """Whether to ask for a heads-up before this message: None when not asked (not a
    refusal or an ending, or one went out), "planned" when one waits to go out, "none"."""
    if kind == "decision_heads_up" or not decisions.wants_heads_up(decision.outcome):
        return None
    if decisions.heads_up_sent(session, decision):
        return None
    return "planned" if decisions.heads_up_planned(session, decision) else "none"


def summary_preview(session: Session, client: Client, kind: str, decision: Decision) -> dict:
    """Every message as its recipient will get it, with the Swedish beside a text in
    another language, the client's picture page, LIX of the Swedish text, the cost in
    every language and the preview's fingerprint. Facts are gathered as the sweep gathers
    them; nothing is written."""
    now = utcnow()
    record = decisions.facts(session, decision, client, now)
    facts = base_facts(session, client, now=now) | record
    recipients = [_recipient(client, None, kind, facts)] + [
        _recipient(
            client,
            representative,
            kind,
            base_facts(session, client, representative, now=now) | record,
        )
        for representative in representatives_for(session, client, kind)
    ]
    pages = [
        {
            "code": version["code"],
            "page": views.preview_page(session, client, kind, facts, version["code"]),
        }
        for version in recipients[0]["versions"]
    ]
    # A discreet client's SMS holds no details: the summary that must be easy is the page.
    swedish: Composition = recipients[0]["versions"][-1]["sms"]
    if facts["discreet"]:
        swedish = compose(kind, facts | {"discreet": False}, SOURCE_LANGUAGE, "page")
    score = lix(swedish.text)
    going = _goes_at(session, client, kind, now)
    return {
        "kind": kind,
        "recipients": recipients,
        "pages": pages,
        "discreet": facts["discreet"],
        # Whether the phone menu can read the decision out in the client's language.
        "voice": inventory.spoken(client.language, "option3"),
        "goes_at": going["at"],
        "phone_hours": going["phone_hours"],
        "heads_up": heads_up_state(session, kind, decision),
        "lix": format_decimal(score, locale=staff_language()),
        "lix_band": _lix_band(score),
        # The same facts in every language: what the SMS costs in each.
        "costs": sms_costs(kind, facts | {"link": links.url(PREVIEW_TOKEN)}),
        "support_ending": kind != "decision_heads_up"
        and decision.outcome in decisions.CONTINUING
        and decision.valid_to is not None,
        "fingerprint": _fingerprint(decision, kind, record, recipients),
    }
