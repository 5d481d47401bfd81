"""compose(): the one function that turns a message kind and its facts into words.

A template in messages/ renders a list of rows, one idea each with its pictogram key.
SMS joins the rows as lines, the phone menu speaks them, the picture page shows them with
pictures: the three channels cannot say different things.

Equal information in every language: every row is essential unless marked optional (a
true extra). An SMS over its budget leaves out only optional rows, and exactly those the
Swedish SMS of the same facts leaves out, so no language or script gets less. What is
still too long for one text is sent as several, split between rows, never cut.
"""

import logging
import re
from dataclasses import dataclass, field

from app.outbox.kinds import KINDS
from app.words.i18n import (
    ROW_OPTIONAL,
    ROW_PICTURE_END,
    ROW_START,
    catalogs,
    collect_misses,
    recorded_misses,
    stop_collecting,
)
from app.words.languages import GSM7, SOURCE_LANGUAGE, Language, get_language
from app.words.sms_encoding import measure, normalise_for_gsm

log = logging.getLogger(__name__)

CHANNELS = ("sms", "voice", "page")
# Runs of spaces, tabs and line breaks become one space (as `[ \t\r\n]+` would): the line
# breaks and tabs are made spaces first, so a single space between words is no match.
_SPACE_RUN = re.compile(" {2,}")
# A phone number in right-to-left text shows its digit groups in reverse unless it is
# marked left-to-right; a client could call the wrong number. Digits inside a page link's
# token are not a phone number: a mark there would break the link.
_PHONE = re.compile(r"(?<![A-Za-z0-9_/=-])\u200e?(\+?\d[\d -]{5,}\d)")
_DIGIT_RUN = re.compile(r"\d[\d -]{5,}\d")  # in every phone number: most rows have none
LRM = "\u200e"


class CompositionError(RuntimeError):
    """A template produced output that is not rows (a bug in messages/, not in the input)."""


@dataclass(frozen=True)
class Row:
    """One idea: a pictogram key and one or two short sentences.

    Every row is essential (`optional` 0) unless it is a true extra: `optional` > 0 marks
    one an SMS may leave out when the Swedish SMS of the same facts is over its budget
    (highest number first). What is left out never depends on the language.
    """

    picture: str
    text: str
    optional: int = 0


@dataclass(frozen=True)
class Composition:
    """A composed message for one language and channel, with what it costs as SMS.

    For SMS, `parts` are the texts as sent: one, or several when the essentials do not fit
    one message's budget (each part within it, split between rows, never cut), and
    `segments` is what all parts cost together. `text` is the whole text, unsplit.
    """

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
    parts: tuple[str, ...] = field(default=())
    part_segments: tuple[int, ...] = field(default=())

    @property
    def messages(self) -> int:
        """How many text messages the SMS is sent as (1 for other channels)."""
        return max(1, len(self.parts))


def parse_rows(output: str, template: str) -> tuple[Row, ...]:
    """Split rendered output into rows; anything outside a row is a template bug."""
    head, first, body = output.partition(ROW_START)
    if head.strip():
        raise CompositionError(f"{template}: text outside a row: {head.strip()[:40]!r}")
    if not first:
        return ()
    rows = []
    # The row marks are not spaces: runs of spaces are collapsed in one pass for all rows.
    body = body.replace("\n", " ").replace("\t", " ").replace("\r", " ")
    for part in _SPACE_RUN.sub(" ", body).split(ROW_START):
        head, sep, text = part.partition(ROW_PICTURE_END)
        if not sep:
            raise CompositionError(f"{template}: a row without a pictogram key")
        picture, _, optional = head.partition(ROW_OPTIONAL)
        text = text.strip()
        if text:
            rows.append(Row(picture.strip(), text, int(optional or 0)))
    return tuple(rows)


def sms_budget(kind: str, encoding: str, *, copy: bool) -> int:
    """Segments one text message of this kind may use: the kind's budget for the encoding
    (UCS-2 segments hold less than half as much, and some languages need more words), one
    more for a representative's copy. A message over it is sent as several, not cut."""
    spec = KINDS[kind]
    budget = spec.sms_segments if encoding == GSM7 else spec.ucs2_budget
    return budget + (1 if copy else 0)


def rows_left_out(rows: tuple[Row, ...], kind: str, *, copy: bool) -> frozenset[int]:
    """The positions of the optional rows to leave out so that these rows fit the kind's
    budget, highest priority number first (of equal ones, the last); none when the rows go
    as several texts anyway and leaving the extras out saves none. Essential rows stay
    whatever the length. Called with the Swedish rows of the facts: the rule for all."""
    left_out: set[int] = set()
    while True:
        kept = tuple(r for i, r in enumerate(rows) if i not in left_out)
        size = measure(join_rows(kept, "sms"))
        candidates = [i for i, r in enumerate(rows) if r.optional and i not in left_out]
        if size.segments <= sms_budget(kind, size.encoding, copy=copy):
            return frozenset(left_out)
        if not candidates:
            break
        left_out.add(max(reversed(candidates), key=lambda i: rows[i].optional))
    # Too long even without its extras: it goes as several texts anyway, so the extras are
    # left out only if that saves a text.
    saves_a_text = len(split_into_parts(kept, kind, copy=copy)) < len(
        split_into_parts(rows, kind, copy=copy)
    )
    return frozenset(left_out) if saves_a_text else frozenset()


def part_marker(number: int, total: int) -> str:
    """'(2/3)': which message of several this is, in digits every client can read."""
    return f"({number}/{total})"


def _group_rows(rows: tuple[Row, ...], kind: str, copy: bool, marker: str) -> list[tuple[Row, ...]]:
    groups: list[tuple[Row, ...]] = []
    current: tuple[Row, ...] = ()
    for row in rows:
        candidate = current + (row,)
        size = measure(join_rows(candidate, "sms") + "\n" + marker)
        if current and size.segments > sms_budget(kind, size.encoding, copy=copy):
            groups.append(current)
            current = (row,)
        else:
            current = candidate
    groups.append(current)
    return groups


def split_into_parts(rows: tuple[Row, ...], kind: str, *, copy: bool) -> tuple[str, ...]:
    """The SMS texts to send: the whole text when it fits the budget, else the rows in as
    few messages as fit it, split between rows. The first part keeps the opening and ends
    with '(1/2)'; each later one starts with its '(2/2)'. A single row longer than a whole
    budget (never in the templates) goes alone rather than being cut."""
    whole = join_rows(rows, "sms")
    size = measure(whole)
    if size.segments <= sms_budget(kind, size.encoding, copy=copy):
        return (whole,)
    width = 1
    while True:  # the markers' width depends on how many parts there are
        groups = _group_rows(rows, kind, copy, part_marker(10**width - 1, 10**width - 1))
        if len(groups) < 10**width:
            break
        width += 1
    total = len(groups)
    if total == 1:
        return (whole,)
    texts = []
    for number, group in enumerate(groups, 1):
        body, marker = join_rows(group, "sms"), part_marker(number, total)
        texts.append(f"{body}\n{marker}" if number == 1 else f"{marker}\n{body}")
    return tuple(texts)


def join_rows(rows: tuple[Row, ...], channel: str) -> str:
    """SMS and page: one idea per line. Voice: sentences in a row, spoken one by one."""
    separator = " " if channel == "voice" else "\n"
    return separator.join(row.text for row in rows)


DISCREET_TEMPLATE = "_discreet"
PICTURES_FIRST_TEMPLATE = "_pictures_first"
# The rows that say who sends and to whom: the picture page's link comes right after them.
OPENING_PICTURES = frozenset({"sender", "representative", "copy"})


def _render(kind: str, lang: str, channel: str, facts: dict) -> tuple[tuple[Row, ...], list[str]]:
    rows, missing = _render_template(kind, lang, channel, facts)
    if _pictures_first(channel, facts) and any(facts["link"] in row.text for row in rows):
        rows, more = _link_first(rows, lang, channel, facts)
        missing = missing + more
    return rows, missing


def _render_template(
    kind: str, lang: str, channel: str, facts: dict
) -> tuple[tuple[Row, ...], list[str]]:
    template_name = f"{kind}.j2"
    env = catalogs().environment(lang)
    token = collect_misses()
    try:
        output = env.get_template(template_name).render(
            **facts, channel=channel, pictures_first=_pictures_first(channel, facts)
        )
        missing = recorded_misses()
    finally:
        stop_collecting(token)
    return parse_rows(output, template_name), missing


def _pictures_first(channel: str, facts: dict) -> bool:
    """A client with picture support reads the picture page first: in their own SMS (not a
    representative's copy) its link comes right after the greeting."""
    return (
        channel == "sms"
        and bool(facts.get("picture_support"))
        and bool(facts.get("link"))
        and not facts.get("copy")
    )


def _link_first(
    rows: tuple[Row, ...], lang: str, channel: str, facts: dict
) -> tuple[tuple[Row, ...], list[str]]:
    """The rows with the link taken from wherever the kind's template put it and given,
    with the picture lead (messages/_pictures_first.j2), right after the opening rows.
    One place for every kind, also those whose own link row has words of its own."""
    link_rows = [row for row in rows if facts["link"] in row.text]
    rest = [row for row in rows if facts["link"] not in row.text]
    opening = 0
    while opening < len(rest) and rest[opening].picture in OPENING_PICTURES:
        opening += 1
    lead, missing = _render_template(
        PICTURES_FIRST_TEMPLATE, lang, channel, facts | {"picture": link_rows[0].picture}
    )
    return tuple(rest[:opening]) + lead + tuple(rest[opening:]), missing


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
    rows = _for_sms_or_screen(rows, language, fallback)
    budget: int | None = None
    dropped: tuple[str, ...] = ()
    parts: tuple[str, ...] = ()
    part_segments: tuple[int, ...] = ()
    if channel == "sms":
        copy = bool(facts.get("copy"))
        left_out = _left_out_as_in_swedish(rows, template, language, fallback, facts, kind, copy)
        dropped = tuple(rows[i].picture for i in sorted(left_out))
        rows = tuple(r for i, r in enumerate(rows) if i not in left_out)
        parts = split_into_parts(rows, kind, copy=copy)
        part_segments = tuple(measure(part).segments for part in parts)
    text = join_rows(rows, channel)
    size = measure(text)
    if channel == "sms":
        budget = sms_budget(kind, size.encoding, copy=bool(facts.get("copy")))
    return Composition(
        kind=kind,
        lang=language.code,
        channel=channel,
        rows=rows,
        text=text,
        encoding=size.encoding,
        segments=sum(part_segments) if parts else size.segments,
        fallback=fallback,
        missing=tuple(missing),
        budget=budget,
        dropped=dropped,
        parts=parts,
        part_segments=part_segments,
    )


def _for_sms_or_screen(
    rows: tuple[Row, ...], language: Language, fallback: bool
) -> tuple[Row, ...]:
    """GSM-7 stand-ins for typographic characters in GSM languages (and in Swedish given
    for a missing translation); left-to-right marks before phone numbers in RTL text."""
    if language.sms_encoding == GSM7 or fallback:
        return tuple(_with_text(r, normalise_for_gsm(r.text)) for r in rows)
    if language.direction == "rtl":
        return tuple(_with_text(r, _marked_phones(r.text)) for r in rows)
    return rows


def _marked_phones(text: str) -> str:
    return _PHONE.sub(LRM + r"\1", text) if _DIGIT_RUN.search(text) else text


def _with_text(row: Row, text: str) -> Row:
    """The row with this text (the same row when the text is unchanged, as it mostly is)."""
    return row if text == row.text else Row(row.picture, text, row.optional)


def _left_out_as_in_swedish(
    rows: tuple[Row, ...],
    template: str,
    language: Language,
    fallback: bool,
    facts: dict,
    kind: str,
    copy: bool,
) -> frozenset[int]:
    """Which rows this SMS leaves out: exactly those the Swedish SMS of the same facts
    leaves out to fit its budget. A language whose words are longer, or whose script
    needs UCS-2, never gets less; it is sent as more messages instead."""
    if not any(r.optional for r in rows):
        return frozenset()
    if language.code == SOURCE_LANGUAGE:
        swedish = rows
    else:
        rendered, _ = _render(template, SOURCE_LANGUAGE, "sms", facts)
        swedish = _for_sms_or_screen(rendered, get_language(SOURCE_LANGUAGE), False)
    # Given in Swedish for a missing translation, the rows are the Swedish ones and the
    # interpreter line after them; otherwise the same template gives the same rows.
    if [r.picture for r in swedish] != [r.picture for r in rows[: len(swedish)]] or (
        len(rows) != len(swedish) and not fallback
    ):
        log.error("Rows of %s differ between %s and Swedish; nothing left out", kind, language.code)
        return frozenset()
    return rows_left_out(swedish, kind, copy=copy)
