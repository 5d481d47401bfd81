"""The recording script (app/voice/kit.py): every recording a language needs, with its
Swedish, the words to record and the sentence around them, as rows, CSV and a page."""

import csv
import io
import re
from dataclasses import replace

from app.voice import inventory, kit, names
from app.voice.recordings import store
from app.words.i18n import catalogs
from tests.espeak import tone
from tests.factories import create_unit

MENU_1 = "Tryck 1 för ditt nästa möte."


def _translation(code: str, msgid: str) -> str:
    return catalogs().catalogs[code].messages[msgid]


def test_the_somali_script_lists_every_needed_recording_with_its_words(app):
    rows = kit.script_rows("so")
    assert len(rows) == len(inventory.needed("so"))
    assert {row.name for row in rows} == {item.name for item in inventory.needed("so")}
    somali = _translation("so", MENU_1)
    (press_1,) = [row for row in rows if row.swedish == MENU_1]
    assert press_1.text == somali and press_1.sentence == somali
    assert press_1.file == f"{names.piece_name(MENU_1, 0, 0, somali)}.mp3"
    assert press_1.section == "menu" and press_1.used_in == ("menu",)
    assert press_1.group == "phrase" and not press_1.recorded
    monday = next(row for row in rows if row.name == inventory.aliases("so")[names.weekday(0)])
    assert (monday.swedish, monday.section, monday.group) == ("måndag", kit.VALUES, "value")
    assert monday.text == catalogs().formatter("so").weekday_name(0)


def test_rows_come_screen_by_screen_then_the_values_then_the_units_names(app, session):
    create_unit(session, name="Ekby stöd", sender_name="Ekby kommun")
    create_unit(
        session, name="Norrby stöd", sender_name="Norrby socialtjänst", phone="+46855500100"
    )
    rows = kit.script_rows("fa", kit.unit_names())
    sections = list(dict.fromkeys(row.section for row in rows))
    assert sections == [s for s in kit.SECTION_LABELS if s in sections]
    assert sections[0] == "menu" and sections[-2:] == [kit.VALUES, kit.UNIT_NAMES]
    assert {row.swedish for row in rows if row.section == kit.UNIT_NAMES} == {
        "Ekby kommun",
        "Norrby socialtjänst",
    }
    assert all(row.optional for row in rows if row.section == kit.UNIT_NAMES)
    # The menu's keys come in the order the menu says them.
    keys = [row.swedish for row in rows if re.fullmatch(r"Tryck \d .*", row.swedish)]
    assert keys[0] == MENU_1 and keys.index(MENU_1) < keys.index("Tryck 0 för att höra det igen.")


def test_a_recorded_phrase_is_shown_as_recorded_with_its_own_file(app):
    first = kit.script_rows("ti")[0]
    store().save("ti", first.name, tone(0.5), ".wav")
    again = kit.script_rows("ti")[0]
    assert again.recorded and again.file == f"{first.name}.wav"


def _untranslated(monkeypatch) -> None:
    real = inventory.needed

    def needed(code: str, units: tuple[str, ...] = ()) -> list[inventory.Needed]:
        missing = inventory.Needed("ny-fras-0a0a0a0a", "phrase", "Ny fras {x}.", "", "", ("menu",))
        return [missing, *real(code, units)]

    monkeypatch.setattr(inventory, "needed", needed)


def test_the_csv_parses_back_with_a_bom_a_header_and_a_row_each(app, monkeypatch):
    _untranslated(monkeypatch)
    rows = kit.script_rows("so")
    text = kit.script_csv("so", rows)
    assert text.startswith("\ufeff")
    table = list(csv.reader(io.StringIO(text[1:])))
    header, body = table[0], table[1:]
    assert header == [
        "Fil",
        "Avsnitt",
        "Används i",
        "Grupp",
        "Svenska",
        "Att spela in",
        "Hela meningen",
        "Inspelad",
    ]
    assert len(body) == len(rows) == len(inventory.needed("so"))
    by_swedish = {line[4]: line for line in body}
    somali = _translation("so", MENU_1)
    assert by_swedish[MENU_1] == [
        f"{names.piece_name(MENU_1, 0, 0, somali)}.mp3",
        "Telefonmeny",
        "Telefonmeny",
        "Fras",
        MENU_1,
        somali,
        somali,
        "Nej",
    ]
    # Not translated yet: nothing to record, no file name to give it.
    assert by_swedish["Ny fras {x}."][0] == "" and by_swedish["Ny fras {x}."][5] == (
        "Översättning saknas"
    )


def test_the_marked_piece_is_the_one_cut_from_the_sentence(app):
    row = kit.ScriptRow("n", "n.mp3", "phrase", "menu", ("menu",), "", "waa", "", False)
    # "waa" is also the end of the first piece ("Salaan waa"): the second is marked.
    greeting = replace(row, sentence="Salaan waa [name]! waa [sender].", piece=1)
    assert greeting.marked() == ("Salaan waa [name]! ", "waa", " [sender].")
    first = replace(row, text="Salaan waa", sentence="Salaan waa [name]! waa [sender].")
    assert first.marked() == ("", "Salaan waa", " [name]! waa [sender].")
    assert replace(row, text="14", sentence="14").marked() == ("", "14", "")


def test_the_page_is_persian_right_to_left_with_the_piece_marked(app):
    rows = kit.script_rows("fa")
    page = kit.script_html("fa", rows)
    assert page.startswith("<!doctype html>") and '<html lang="sv">' in page
    assert "@media print" in page and "size: A4" in page
    assert "<title>Inspelningsmanus: persiska (فارسی)</title>" in page
    # The name in its own script, isolated so its letters keep their order beside Swedish.
    assert '<h1>Inspelningsmanus: persiska (<bdi lang="fa" dir="rtl">فارسی</bdi>)</h1>' in page
    assert "Spela in i ett tyst rum, nära mikrofonen." in page
    greeting = [row for row in rows if row.swedish == "Hej {name}! Det här är {sender}."]
    assert len(greeting) == 2  # two pieces around the name
    for row in greeting:
        before, piece, after = (_escaped(part) for part in row.marked())
        cell = f'lang="fa" dir="rtl">{before}<mark>{piece}</mark>{after}</td>'
        assert cell in page
    assert page.count('type="checkbox"') == len(rows)
    assert '<h2 id="screen-1">Telefonmeny' in page


def test_dari_and_tigrinya_pages_name_their_language_and_direction(app):
    dari = kit.script_html("prs", kit.script_rows("prs"))
    assert 'lang="fa-AF" dir="rtl"' in dari and 'dir="ltr"' not in dari
    tigrinya = kit.script_html("ti", kit.script_rows("ti"))
    assert 'lang="ti" dir="ltr"' in tigrinya and 'dir="rtl"' not in tigrinya


def test_a_phrase_without_translation_cannot_be_ticked_on_the_page(app, monkeypatch):
    _untranslated(monkeypatch)
    rows = kit.script_rows("so")
    page = kit.script_html("so", rows)
    assert '<td class="record missing">Översättning saknas</td>' in page
    assert page.count('type="checkbox"') == len(rows) - 1


def _escaped(text: str) -> str:
    from markupsafe import escape

    return str(escape(text))


def test_every_screen_of_a_call_has_a_name_staff_know(app):
    assert list(kit.SCREEN_LABELS) == list(inventory.SCREENS)


def test_a_unit_name_is_never_a_formula_in_the_spreadsheet(app, session):
    create_unit(session, sender_name="=HYPERLINK(1)")
    text = kit.script_csv("so", kit.script_rows("so", kit.unit_names()))
    last = list(csv.reader(io.StringIO(text[1:])))[-1]
    assert last[4] == "'=HYPERLINK(1)" and not any(cell.startswith("=") for cell in last)


def test_a_word_that_comes_twice_in_a_sentence_is_marked_where_it_is_said(app):
    rows = [r for r in kit.script_rows("sv") if r.swedish.startswith("Du kan ringa {first}")]
    tills = sorted((r for r in rows if r.text == "till"), key=lambda r: r.piece)
    assert len(tills) == 2 and tills[0].name != tills[1].name
    assert tills[0].marked()[0] == "Du kan ringa [first] "
    assert tills[1].marked()[0] == "Du kan ringa [first] till [last] klockan [opens] "
