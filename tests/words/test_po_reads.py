"""PO files are parsed once per version of the file, and no app can change another's words."""

import os

from app.words.po_reads import translated_entries

PO = """msgid ""
msgstr ""
"Content-Type: text/plain; charset=UTF-8\\n"
"Plural-Forms: nplurals=2; plural=(n != 1);\\n"

msgid "Hej"
msgstr "{hello}"

msgid "Tom"
msgstr ""

#, fuzzy
msgid "Osäker"
msgstr "Unsure"

msgid "en dag"
msgid_plural "%(num)d dagar"
msgstr[0] "one day"
msgstr[1] "%(num)d days"
"""


def write(path, hello: str, mtime_ns: int) -> None:
    path.write_text(PO.format(hello=hello), encoding="utf-8")
    os.utime(path, ns=(mtime_ns, mtime_ns))


def test_only_translated_entries_are_kept(tmp_path):
    path = tmp_path / "messages.po"
    write(path, "Hello", 1_000_000_000)
    entries = translated_entries(path, "en")
    assert entries.singulars == (("Hej", "Hello"),)  # not the empty one, not the fuzzy one
    assert entries.plurals == ((("en dag", "%(num)d dagar"), ("one day", "%(num)d days")),)
    assert entries.plural_expr == "(n != 1)"


def test_a_changed_file_is_read_again(tmp_path):
    path = tmp_path / "messages.po"
    write(path, "Hello", 1_000_000_000)
    assert translated_entries(path, "en").singulars == (("Hej", "Hello"),)
    write(path, "Hi!!!", 2_000_000_000)  # same size, a later time
    assert translated_entries(path, "en").singulars == (("Hej", "Hi!!!"),)


def test_two_apps_do_not_share_their_words(app, config):
    from app import create_app

    other = create_app(dict(config))
    mine = app.extensions["tydligt.catalogs"].catalogs["en"]
    theirs = other.extensions["tydligt.catalogs"].catalogs["en"]
    assert mine.messages == theirs.messages
    msgid = next(iter(mine.messages))
    mine.messages[msgid] = "changed in one app"
    assert theirs.messages[msgid] != "changed in one app"
    staff = app.extensions["tydligt.staff_words"]["sv"]
    staff["Today"] = "changed"
    assert other.extensions["tydligt.staff_words"]["sv"].get("Today") != "changed"
    other.extensions["tydligt.engine"].dispose()
