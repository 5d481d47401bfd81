"""A decision's plain summary as the client will get it, before anything is sent: the SMS
in their language and in Swedish side by side (its size against the budget, what it would
leave out), the picture page, LIX of the Swedish text and who gets copies."""

from typing import Any

from babel.numbers import format_decimal
from sqlmodel import Session

from app.admin.words import N_, _, staff_language
from app.casework import decisions
from app.models import Client, Decision, utcnow
from app.outbox.facts import base_facts
from app.outbox.planner import representatives_for
from app.pages import links, views
from app.words.compose import compose
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


def summary_preview(session: Session, client: Client, kind: str, decision: Decision) -> dict:
    """The message as the client will get it, in their language and in Swedish: the SMS
    (with its size against the budget), the picture page, and LIX of the Swedish text.
    Facts are gathered as the sweep gathers them; nothing is written."""
    now = utcnow()
    facts = base_facts(session, client, now=now) | decisions.facts(session, decision, client, now)
    client_code = get_language(client.language).code
    versions: list[dict[str, Any]] = []
    for code in dict.fromkeys((client_code, SOURCE_LANGUAGE)):
        sms = compose(kind, facts | {"link": links.url(PREVIEW_TOKEN)}, code, "sms")
        written = get_language(SOURCE_LANGUAGE if sms.fallback else code)
        versions.append(
            {
                "code": code,
                "sms": sms,
                "html_lang": written.babel_locale.replace("_", "-"),
                "direction": written.direction,
                "has_link": PREVIEW_TOKEN in sms.text,
                "dropped": [
                    _(DROPPED_LABELS.get(key, N_("a detail"))) for key in dict.fromkeys(sms.dropped)
                ],
                "page": views.preview_page(session, client, kind, facts, code),
            }
        )
    # A discreet client's SMS holds no details: the summary that must be easy is the page.
    swedish = versions[-1]["sms"].text
    if facts["discreet"]:
        swedish = compose(kind, facts | {"discreet": False}, SOURCE_LANGUAGE, "page").text
    score = lix(swedish)
    return {
        "kind": kind,
        "versions": versions,
        "discreet": facts["discreet"],
        "lix": format_decimal(score, locale=staff_language()),
        "lix_band": _lix_band(score),
        "copies": representatives_for(session, client, kind),
        # The same facts in every language: what the SMS costs in each.
        "costs": sms_costs(kind, facts | {"link": links.url(PREVIEW_TOKEN)}),
        "support_ending": kind != "decision_heads_up"
        and decision.outcome in decisions.CONTINUING
        and decision.valid_to is not None,
    }
