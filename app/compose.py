"""compose(): the one function that turns a message kind and its facts into words.

A template in messages/ renders a list of rows, one idea each with its pictogram key.
SMS joins the rows as lines, the phone menu speaks them, the picture page shows them with
pictures: the three channels cannot say different things.
"""

import logging
import re
from dataclasses import dataclass, field

from app.i18n import (
    ROW_OPTIONAL,
    ROW_PICTURE_END,
    ROW_START,
    catalogs,
    collect_misses,
    recorded_misses,
    stop_collecting,
)
from app.kinds import KINDS
from app.languages import GSM7, SOURCE_LANGUAGE, get_language
from app.sms_encoding import SmsSize, measure, normalise_for_gsm

log = logging.getLogger(__name__)

CHANNELS = ("sms", "voice", "page")
_SPACES = re.compile(r"[ \t\r\n]+")
# A phone number in right-to-left text shows its digit groups in reverse unless it is
# marked left-to-right; a client could call the wrong number. Digits inside a page link's
# token are not a phone number: a mark there would break the link.
_PHONE = re.compile(r"(?<![A-Za-z0-9_/=-])\u200e?(\+?\d[\d -]{5,}\d)")
LRM = "\u200e"


class CompositionError(RuntimeError):
    """A template produced output that is not rows (a bug in messages/, not in the input)."""


@dataclass(frozen=True)
class Row:
    """One idea: a pictogram key and one or two short sentences.

    `optional` > 0 marks a detail an SMS may leave out when over budget (highest first).
    """

    picture: str
    text: str
    optional: int = 0


@dataclass(frozen=True)
class Composition:
    """A composed message for one language and channel, with what it costs as SMS."""

    kind: str
    lang: str
    channel: str
    rows: tuple[Row, ...]
    text: str
    encoding: str
    segments: int
    fallback: bool = False
    missing: tuple[str, ...] = field(default=())
    budget: int | None = None
    dropped: tuple[str, ...] = field(default=())


def parse_rows(output: str, template: str) -> tuple[Row, ...]:
    """Split rendered output into rows; anything outside a row is a template bug."""
    head, *parts = output.split(ROW_START)
    if head.strip():
        raise CompositionError(f"{template}: text outside a row: {head.strip()[:40]!r}")
    rows = []
    for part in parts:
        head, sep, text = part.partition(ROW_PICTURE_END)
        if not sep:
            raise CompositionError(f"{template}: a row without a pictogram key")
        picture, _, optional = head.partition(ROW_OPTIONAL)
        text = _SPACES.sub(" ", text).strip()
        if text:
            rows.append(Row(picture.strip(), text, int(optional or 0)))
    return tuple(rows)


def sms_budget(kind: str, encoding: str, *, copy: bool) -> int:
    """Segments an SMS of this kind may use: the kind's GSM-7 budget; in UCS-2, whose
    segments hold less than half as much, half as many again (rounded up: 2 -> 3, 3 -> 5);
    one more for a representative's copy."""
    budget = KINDS[kind].sms_segments
    if encoding != GSM7:
        budget += -(-budget // 2)
    return budget + (1 if copy else 0)


def fit_to_budget(
    rows: tuple[Row, ...], kind: str, *, copy: bool
) -> tuple[tuple[Row, ...], int, tuple[str, ...], SmsSize]:
    """Leave out optional rows, highest priority number first, until the SMS fits.
    Returns the rows kept, the budget, the pictogram keys left out and the SMS's size."""
    dropped: list[str] = []
    while True:
        size = measure(join_rows(rows, "sms"))
        budget = sms_budget(kind, size.encoding, copy=copy)
        optional = [r for r in rows if r.optional]
        if size.segments <= budget or not optional:
            return rows, budget, tuple(dropped), size
        victim = max(reversed(optional), key=lambda r: r.optional)
        rows = tuple(r for r in rows if r is not victim)
        dropped.append(victim.picture)


def join_rows(rows: tuple[Row, ...], channel: str) -> str:
    """SMS and page: one idea per line. Voice: sentences in a row, spoken one by one."""
    separator = " " if channel == "voice" else "\n"
    return separator.join(row.text for row in rows)


DISCREET_TEMPLATE = "_discreet"


def _render(kind: str, lang: str, channel: str, facts: dict) -> tuple[tuple[Row, ...], list[str]]:
    template_name = f"{kind}.j2"
    env = catalogs().environment(lang)
    token = collect_misses()
    try:
        output = env.get_template(template_name).render(**facts, channel=channel)
        missing = recorded_misses()
    finally:
        stop_collecting(token)
    return parse_rows(output, template_name), missing


def compose(kind: str, facts: dict, lang: str, channel: str) -> Composition:
    """Render a message kind for one language and channel.

    If any string is missing in `lang`, the whole message is given in Swedish, followed by
    the fallback line (in `lang` when that line exists) saying an interpreter can help; the
    miss is logged for staff. A client never gets a half-translated message.
    """
    if channel not in CHANNELS:
        raise ValueError(f"Unknown channel {channel!r}; use one of {', '.join(CHANNELS)}.")
    language = get_language(lang)
    # A discreet client's SMS says only that there is a message and how to read or hear it;
    # the phone menu and the page (behind a PIN) carry the details.
    template = DISCREET_TEMPLATE if facts.get("discreet") and channel == "sms" else kind
    rows, missing = _render(template, language.code, channel, facts)
    fallback = bool(missing)
    if fallback:
        log.warning(
            "Missing translation: kind=%s lang=%s strings=%d; sent in Swedish",
            kind,
            language.code,
            len(missing),
        )
        rows, _ = _render(template, SOURCE_LANGUAGE, channel, facts)
        notice, _ = _render("_fallback", language.code, channel, facts)
        rows = rows + notice
    if language.sms_encoding == GSM7 or fallback:
        rows = tuple(Row(r.picture, normalise_for_gsm(r.text), r.optional) for r in rows)
    elif language.direction == "rtl":
        rows = tuple(Row(r.picture, _PHONE.sub(LRM + r"\1", r.text), r.optional) for r in rows)
    budget, dropped, size = None, (), None
    if channel == "sms":
        rows, budget, dropped, size = fit_to_budget(rows, kind, copy=bool(facts.get("copy")))
    text = join_rows(rows, channel)
    size = size or measure(text)
    return Composition(
        kind=kind,
        lang=language.code,
        channel=channel,
        rows=rows,
        text=text,
        encoding=size.encoding,
        segments=size.segments,
        fallback=fallback,
        missing=tuple(missing),
        budget=budget,
        dropped=dropped,
    )
