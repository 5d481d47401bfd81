"""The staff interface's words: English msgids, Swedish by default, English on request.

Staff texts live in locales/<code>/LC_MESSAGES/admin.po (extract with
`flask --app app translate extract --domain admin`). Client texts are another catalog
(messages.po, with Swedish as the source) and have their own gates.
"""

from pathlib import Path

from flask import Flask, current_app, has_request_context, session

from app.errors import N_
from app.words.po_reads import translated_entries

__all__ = ["N_", "_", "ngettext", "staff_language", "STAFF_LANGUAGES"]

STAFF_LANGUAGES = ("sv", "en")
DEFAULT_STAFF_LANGUAGE = "sv"
SOURCE = "en"


def load_staff_catalogs(locales_dir: Path) -> dict[str, dict]:
    """Each staff language's translations from its admin.po: msgid -> text (or plural forms)."""
    catalogs: dict[str, dict] = {}
    for code in STAFF_LANGUAGES:
        path = locales_dir / code / "LC_MESSAGES" / "admin.po"
        entries: dict = {}
        if code != SOURCE and path.exists():
            po = translated_entries(path, code)
            entries.update(po.singulars)
            entries.update((msgids[0], forms) for msgids, forms in po.plurals if all(forms))
        catalogs[code] = entries
    return catalogs


def staff_language() -> str:
    """The signed-in person's choice (kept in the session), Swedish by default."""
    chosen = session.get("staff_language") if has_request_context() else None
    return chosen if chosen in STAFF_LANGUAGES else DEFAULT_STAFF_LANGUAGE


def _catalog() -> dict:
    return current_app.extensions["tydligt.staff_words"].get(staff_language(), {})


def _(text: str, **variables) -> str:
    """The staff text in the current staff language, with %(name)s variables filled in."""
    translated = _catalog().get(text, text)
    if isinstance(translated, tuple):
        translated = translated[0]
    return translated % variables if variables else translated


def ngettext(singular: str, plural: str, n: int, **variables) -> str:
    """Plural-aware staff text; %(num)d is the count (both staff languages have two forms)."""
    forms = _catalog().get(singular)
    if isinstance(forms, tuple) and len(forms) == 2:
        text = forms[0] if n == 1 else forms[1]
    else:
        text = singular if n == 1 else plural
    return text % ({"num": n} | variables)


def _template_gettext(text: str) -> str:
    return _(text)


def _template_ngettext(singular: str, plural: str, n: int) -> str:
    forms = _catalog().get(singular)
    if isinstance(forms, tuple) and len(forms) == 2:
        return forms[0] if n == 1 else forms[1]
    return singular if n == 1 else plural


def init_app(app: Flask) -> None:
    """Load the staff catalogs and give the admin templates _() and ngettext()."""
    app.extensions["tydligt.staff_words"] = load_staff_catalogs(Path(app.config["LOCALES_DIR"]))
    app.jinja_env.add_extension("jinja2.ext.i18n")
    app.jinja_env.policies["ext.i18n.trimmed"] = True
    # newstyle: Jinja fills in %(name)s itself and escapes the variables, not the text.
    # Added to the environment by the i18n extension above, so Jinja's types do not have it.
    app.jinja_env.install_gettext_callables(  # type: ignore[attr-defined]
        _template_gettext, _template_ngettext, newstyle=True
    )
    app.jinja_env.globals["staff_language"] = staff_language
