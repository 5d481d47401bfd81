"""The project's own pictograms: one family, every concept covered, replaceable by config."""

import re
import tomllib
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from app import create_app
from app.config import PROJECT_ROOT
from app.pages.pictograms import load, resolve
from app.words.preview import VARIANTS, preview_rows

FOLDER = PROJECT_ROOT / "pictograms"
MANIFEST = tomllib.loads((FOLDER / "manifest.toml").read_text())
PICTURES = MANIFEST["pictograms"]
PALETTE = {
    "#1a1a1a",
    "#ffffff",
    "#1f5fbf",
    "#cfe0fa",
    "#2e7d32",
    "#d6f0d8",
    "#c62828",
    "#fbd5d5",
    "#f9c80e",
    "#f3d2b3",
    "#9e9e9e",
    "none",
}
SVG = "{http://www.w3.org/2000/svg}"


def test_there_are_at_least_80_pictograms_each_with_a_file_and_alt_text():
    assert len(PICTURES) >= 80
    for key, entry in PICTURES.items():
        assert (FOLDER / entry["file"]).is_file(), key
        assert entry["alt"].strip(), key


@pytest.mark.parametrize("key", sorted(PICTURES))
def test_each_pictogram_follows_the_house_style(key):
    path = FOLDER / PICTURES[key]["file"]
    text = path.read_text()
    assert len(text.encode()) < 3000
    root = ET.fromstring(text)
    assert root.tag == f"{SVG}svg" and root.get("viewBox") == "0 0 100 100"
    for forbidden in ("<text", "href", "<image", "<script", "<style", "<foreignObject", "url("):
        assert forbidden not in text, f"{key}: {forbidden}"
    colours = set(re.findall(r'(?:fill|stroke)="([^"]+)"', text))
    assert colours <= PALETTE, f"{key}: colours outside the palette: {colours - PALETTE}"
    assert "#1a1a1a" in colours, f"{key}: no dark outline"


def test_every_row_of_every_message_has_a_pictogram(tmp_path):
    app = create_app({"INSTANCE_PATH": tmp_path})
    with app.app_context():
        missing = {
            picture
            for row in preview_rows(VARIANTS)
            for picture in row["pictures"]
            if resolve(picture) is None
        }
    assert missing == set()


def test_a_municipality_can_use_its_own_licensed_set(tmp_path, config):
    theirs = tmp_path / "their-set"
    theirs.mkdir()
    (theirs / "kalender.svg").write_text(
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"/>'
    )
    (theirs / "manifest.toml").write_text(
        '[pictograms.calendar]\nfile = "kalender.svg"\nalt = "Kalender"\n'
    )
    pictures, _ = load(str(theirs))
    assert pictures["calendar"].path == (theirs / "kalender.svg").resolve()
    assert (
        pictures["clock"].path == (FOLDER / "svg" / "clock.svg").resolve()
    )  # ours where they have none
    app = create_app(config | {"PICTOGRAM_SET_DIR": str(theirs)})
    try:
        response = app.test_client().get("/pictograms/calendar.svg")
        assert response.status_code == 200 and b'viewBox="0 0 10 10"' in response.data
        response.close()
    finally:
        app.extensions["tydligt.engine"].dispose()


def test_pictograms_are_served_as_svg(client):
    response = client.get("/pictograms/calendar.svg")
    assert response.status_code == 200
    assert response.mimetype == "image/svg+xml"
    response.close()
    for bad in (
        "/pictograms/nothing.svg",
        "/pictograms/..%2Fmanifest.svg",
        "/pictograms/Calendar.svg",
    ):
        assert client.get(bad).status_code == 404


def test_the_licence_is_stated():
    assert "CC BY 4.0" in (FOLDER / "LICENSE").read_text()


def test_row_keys_for_documents_and_services_map_to_their_pictograms(app):
    assert resolve("document:hyresavi").key == "document_hyresavi"
    assert resolve("service:fardtjanst").key == "service_fardtjanst"
    assert resolve("call").key == "phone_call"
    assert Path(resolve("decision:refused").path).name == "decision_refused.svg"
