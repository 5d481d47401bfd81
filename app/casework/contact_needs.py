"""How a client wants to be reached: the language an interpreter is needed in, and a
communication aid (picture support, speech synthesis, sign language …).

The interpreter language is a code from INTERPRETER_LANGUAGES, not one of the nine client
languages: interpreters in Sweden work in many more languages (and dialects that matter,
like Dari beside Persian or Sorani beside Kurmanji), and a client who reads their messages
in Swedish may still need one at a meeting. A code rather than a typed name, so that every
screen names it in the staff language, the API and the case systems exchange the same
value, and a slip ("arabiska", "Arabic", "arab") cannot hide the need from the week list.
"""

from dataclasses import dataclass

from app.errors import N_
from app.models import Client

# ISO 639 codes (two letters where there are, else three) of the languages interpreting
# agencies in Sweden are asked for, the national minority languages and Swedish Sign
# Language; the English names are staff words (admin.po has them in Swedish).
INTERPRETER_LANGUAGES: dict[str, str] = {
    "sq": N_("Albanian"),
    "am": N_("Amharic"),
    "ar": N_("Arabic"),
    "hy": N_("Armenian"),
    "aii": N_("Assyrian (Neo-Aramaic)"),
    "az": N_("Azerbaijani"),
    "bn": N_("Bengali"),
    "bs": N_("Bosnian"),
    "bg": N_("Bulgarian"),
    "my": N_("Burmese"),
    "yue": N_("Cantonese"),
    "zh": N_("Chinese (Mandarin)"),
    "hr": N_("Croatian"),
    "cs": N_("Czech"),
    "prs": N_("Dari"),
    "nl": N_("Dutch"),
    "en": N_("English"),
    "et": N_("Estonian"),
    "fi": N_("Finnish"),
    "fr": N_("French"),
    "ka": N_("Georgian"),
    "de": N_("German"),
    "el": N_("Greek"),
    "he": N_("Hebrew"),
    "hi": N_("Hindi"),
    "hu": N_("Hungarian"),
    "it": N_("Italian"),
    "ja": N_("Japanese"),
    "km": N_("Khmer"),
    "ko": N_("Korean"),
    "ckb": N_("Kurdish, Sorani"),
    "kmr": N_("Kurdish, Kurmanji"),
    "sdh": N_("Kurdish, Southern"),
    "lv": N_("Latvian"),
    "lt": N_("Lithuanian"),
    "mk": N_("Macedonian"),
    "fit": N_("Meänkieli"),
    "mn": N_("Mongolian"),
    "ne": N_("Nepali"),
    "om": N_("Oromo"),
    "ps": N_("Pashto"),
    "fa": N_("Persian"),
    "pl": N_("Polish"),
    "pt": N_("Portuguese"),
    "pa": N_("Punjabi"),
    "rom": N_("Romani"),
    "ro": N_("Romanian"),
    "ru": N_("Russian"),
    "se": N_("Sami, Northern"),
    "smj": N_("Sami, Lule"),
    "sma": N_("Sami, Southern"),
    "sr": N_("Serbian"),
    "sk": N_("Slovak"),
    "so": N_("Somali"),
    "es": N_("Spanish"),
    "sw": N_("Swahili"),
    "swl": N_("Swedish Sign Language"),
    "tg": N_("Tajik"),
    "ta": N_("Tamil"),
    "th": N_("Thai"),
    "ti": N_("Tigrinya"),
    "tr": N_("Turkish"),
    "uk": N_("Ukrainian"),
    "ur": N_("Urdu"),
    "uz": N_("Uzbek"),
    "vi": N_("Vietnamese"),
    "yi": N_("Yiddish"),
}
AID_LENGTH = 80  # a few words: "bildstöd och lättläst", not a care plan


@dataclass(frozen=True)
class ContactNeeds:
    """What staff must know before they contact the client or book a meeting."""

    interpreter_language: str = ""  # a code of INTERPRETER_LANGUAGES; "": none needed
    communication_aid: str = ""

    @property
    def any(self) -> bool:
        """Whether there is anything to show."""
        return bool(self.interpreter_language or self.communication_aid)

    @classmethod
    def of(cls, client: Client) -> "ContactNeeds":
        """The client's recorded needs."""
        return cls(client.interpreter_language, client.communication_aid)


def clean(values: dict) -> tuple[dict, dict]:
    """The contact needs among `values`, cleaned (a code in lower case, the aid on one
    line), and the errors by field; fields not in `values` are left out of both."""
    cleaned, errors = {}, {}
    if "interpreter_language" in values:
        code = (values["interpreter_language"] or "").strip().lower().replace("_", "-")
        if code and code not in INTERPRETER_LANGUAGES:
            errors["interpreter_language"] = N_("Choose a language from the list.")
        cleaned["interpreter_language"] = code
    if "communication_aid" in values:
        raw = values["communication_aid"] or ""
        # One line: control characters (a pasted line break, NUL) become spaces.
        aid = " ".join("".join(c if c.isprintable() else " " for c in raw).split())
        if len(aid) > AID_LENGTH:
            errors["communication_aid"] = N_("Use at most 80 characters.")
        cleaned["communication_aid"] = aid
    return cleaned, errors
