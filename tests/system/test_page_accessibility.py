"""The pages in a real headless Chromium: axe-core finds nothing at 320 and 1280 px, they
reflow at 320 px with WCAG text spacing in every language, text can grow to 200 %, the
focus ring stands out from what is behind it, "Läs upp" shows only where there is a voice
and can be stopped, Tigrinya has a font, and nothing is fetched from outside the app.

Pages do not depend on the database engine, so this runs once (with the SQLite suite).
"""

import json
import re
import shutil
import subprocess
from datetime import UTC, datetime, timedelta

import pytest

from app.casework import checklists, clients, decisions
from app.models import Unit
from app.outbox.sweep import send_due
from app.words.languages import languages
from tests.browser import app_on_fresh_database, axe_problems, served
from tests.conftest import BACKEND
from tests.factories import book_appointment, create_staff

# The server below runs on the real clock, so the data is made on it too.
NOW = datetime.now(UTC)
MEETING = NOW + timedelta(hours=20)
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(BACKEND != "sqlite", reason="pages are checked once, with the SQLite run"),
]


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """The app on loopback with one fictional client per language, and their page links."""
    folder = tmp_path_factory.mktemp("pages")
    outbox = folder / "outbox.jsonl"
    app = app_on_fresh_database(folder)
    from sqlmodel import Session

    pages = {}
    with app.app_context():
        with Session(app.extensions["tydligt.engine"], expire_on_commit=False) as session:
            unit = Unit(
                name="Ekby",
                sender_name="Ekby kommun",
                phone="+46846500400",
                phone_menu_number="+46846500401",
                address="Storgatan 12, Ekby",
                sending_window="00:00-23:59",  # the real clock: any hour
            )
            session.add(unit)
            session.commit()
            lina = create_staff(
                session, unit, email="lina@ekby.example", name="Lina Berg", phone="+46701740605"
            )
            for index, language in enumerate(languages(), 1):
                client = clients.enroll(
                    session,
                    unit_id=unit.id,
                    caseworker_id=lina.id,
                    first_name=f"Klient{index}",
                    phone=f"+4670000000{index}",
                    language=language.code,
                    consent_method="verbal",
                    now=NOW,
                )
                book_appointment(session, client, starts_at=MEETING, now=NOW, bring="hyresavi")
                checklists.create(
                    session,
                    client,
                    application_type="ekonomiskt_bistand",
                    due_date=(NOW + timedelta(days=7)).date(),
                    now=NOW,
                )
                decisions.decide(
                    session,
                    client,
                    now=NOW,
                    service="boendestod",
                    outcome="approved",
                    scope_amount=6,
                    scope_unit="hours_per_week",
                    valid_from=NOW.date(),
                    valid_to=(NOW + timedelta(days=180)).date(),
                )
                session.commit()
        send_due(NOW)
    for line in outbox.read_text().splitlines():
        message = json.loads(line)
        token = re.search(r"/p/([A-Za-z0-9_-]{22})", message["body"]).group(1)
        page = "overview" if message["kind"] == "welcome" else message["kind"]
        pages[(message["language"], page)] = f"/p/{token}"
    with served(app) as base:
        yield base, pages


# A stand-in for the browser's speech, with these voices (language tags): what the page
# asks of it is kept in window.spoken, and window.speechSynthesis.finish() ends the reading.
FAKE_SPEECH = """
(() => {
  const voices = %s.map(lang => ({lang, name: "Voice " + lang, voiceURI: lang,
                                  localService: true, default: false}));
  window.spoken = [];
  const speech = {
    onvoiceschanged: null,
    queue: [],
    getVoices() { return voices; },
    speak(words) { window.spoken.push({text: words.text, voice: words.voice && words.voice.lang});
                   this.queue.push(words); },
    cancel() { window.spoken.push("cancel"); this.finish(); },
    finish() { const queue = this.queue; this.queue = [];
               queue.forEach(words => words.onend && words.onend()); },
  };
  Object.defineProperty(window, "speechSynthesis", {value: speech, configurable: true});
  window.SpeechSynthesisUtterance = function (text) { this.text = text; };
})();
"""

# WCAG 2.2, 1.4.12 Text Spacing: the page must take these without losing anything.
TEXT_SPACING = """
* { line-height: 1.5 !important; letter-spacing: 0.12em !important;
    word-spacing: 0.16em !important; }
p { margin-bottom: 2em !important; }
"""


def open_page(browser, address: str, width: int = 1024, voices: list[str] | None = None):
    """The page in a new context; with `voices`, the browser's speech has just those. Also
    gives the addresses fetched from outside (blocked) and from the app."""
    # bypass_csp only lets the test inject axe-core; the CSP header is tested in test_pages.
    context = browser.new_context(viewport={"width": width, "height": 800}, bypass_csp=True)
    page = context.new_page()
    if voices is not None:
        page.add_init_script(FAKE_SPEECH % json.dumps(voices))
    outside = []
    fetched = []

    def guard(route):
        if route.request.url.startswith("http://127.0.0.1:"):
            fetched.append(route.request.url)
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    page.route("**/*", guard)
    page.goto(address, wait_until="load")
    page.evaluate("document.fonts.ready.then(() => true)")
    page.fetched = fetched
    return context, page, outside


PAGES = [(lang.code, kind) for lang in languages() for kind in ("appointment_reminder", "overview")]


@pytest.mark.parametrize("width", [320, 1280])
@pytest.mark.parametrize(("code", "kind"), PAGES)
def test_pages_have_no_accessibility_violations_in_any_language(site, browser, code, kind, width):
    base, pages = site
    context, page, outside = open_page(browser, base + pages[(code, kind)], width=width)
    try:
        language = next(lang for lang in languages() if lang.code == code)
        assert page.get_attribute("html", "lang") == language.bcp47
        assert page.get_attribute("html", "dir") == language.direction
        assert axe_problems(page) == []
        assert outside == []
        images = page.eval_on_selector_all("img", "els => els.map(e => [e.alt, e.naturalWidth])")
        assert images and all(alt and width > 0 for alt, width in images)
    finally:
        context.close()


@pytest.mark.parametrize("kind", ["appointment_reminder", "overview"])
@pytest.mark.parametrize("code", ["sv", "ar", "uk"])
def test_pages_reflow_at_320_px_and_take_text_at_200_percent(site, browser, code, kind):
    base, pages = site
    context, page, _ = open_page(browser, base + pages[(code, kind)], width=320)
    try:
        assert page.evaluate("document.documentElement.scrollWidth") <= 320
        page.set_viewport_size({"width": 640, "height": 800})
        page.evaluate("document.documentElement.style.fontSize = '250%'")  # 125 % base, doubled
        assert page.evaluate("document.documentElement.scrollWidth") <= 640
        clipped = page.evaluate(
            "Array.from(document.querySelectorAll('p, h1, h2, a, button'))"
            ".filter(e => e.scrollWidth > e.clientWidth + 1).length"
        )
        assert clipped == 0
    finally:
        context.close()


ONE_LINE_PHONES = (
    "Array.from(document.querySelectorAll('.phone'))"
    ".filter(e => e.getClientRects().length > 1).map(e => e.textContent)"
)
CLIPPED = (
    "Array.from(document.querySelectorAll('p, h1, h2, li, a, button'))"
    ".filter(e => e.scrollWidth > e.clientWidth + 1).map(e => e.outerHTML.slice(0, 80))"
)


@pytest.mark.parametrize("kind", ["appointment_reminder", "overview"])
@pytest.mark.parametrize("code", [lang.code for lang in languages()])
def test_pages_take_wcag_text_spacing_at_320_px_and_keep_numbers_whole(site, browser, code, kind):
    base, pages = site
    context, page, _ = open_page(browser, base + pages[(code, kind)], width=320)
    try:
        assert page.evaluate("document.querySelectorAll('.phone').length") >= 2
        assert page.evaluate(ONE_LINE_PHONES) == []
        page.add_style_tag(content=TEXT_SPACING)
        assert page.evaluate("document.documentElement.scrollWidth") <= 320
        assert page.evaluate(CLIPPED) == []
        assert page.evaluate(ONE_LINE_PHONES) == []
    finally:
        context.close()


def luminance(colour: tuple[float, ...]) -> float:
    """WCAG relative luminance of an sRGB colour (0-255 channels)."""
    channels = [c / 255 for c in colour[:3]]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(one: tuple[float, ...], other: tuple[float, ...]) -> float:
    """WCAG contrast ratio of two colours."""
    light, dark = sorted((luminance(one), luminance(other)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def colours(css: str) -> list[tuple[float, ...]]:
    """Every rgb()/rgba() colour in a computed style value."""
    return [
        tuple(float(n) for n in found.split(",")) for found in re.findall(r"rgba?\(([^)]*)\)", css)
    ]


# What the focused element shows, and the first opaque background behind it.
FOCUS_STYLE = """
() => {
  const element = document.activeElement;
  const style = getComputedStyle(element);
  let behind = element.parentElement, background = "rgb(255, 255, 255)";
  for (; behind; behind = behind.parentElement) {
    const colour = getComputedStyle(behind).backgroundColor;
    if (colour !== "rgba(0, 0, 0, 0)" && colour !== "transparent") { background = colour; break; }
  }
  return {tag: element.outerHTML.slice(0, 60), focusVisible: element.matches(":focus-visible"),
          outlineStyle: style.outlineStyle, outlineWidth: parseFloat(style.outlineWidth),
          outline: style.outlineColor, halo: style.boxShadow, background: background};
}
"""


@pytest.mark.parametrize("width", [320, 1280])
@pytest.mark.parametrize(("code", "kind"), [("sv", "overview"), ("ar", "appointment_reminder")])
def test_the_focus_ring_has_3_to_1_against_what_is_behind_it(site, browser, code, kind, width):
    base, pages = site
    context, page, _ = open_page(browser, base + pages[(code, kind)], width, voices=["sv-SE", "ar"])
    try:
        seen = []
        for _ in range(40):
            page.keyboard.press("Tab")
            focus = page.evaluate(FOCUS_STYLE)
            if focus["tag"] in seen or focus["tag"].startswith("<body"):
                break  # round the page once
            seen.append(focus["tag"])
            assert focus["focusVisible"], focus
            assert focus["outlineStyle"] != "none" and focus["outlineWidth"] >= 2, focus
            ring = colours(focus["outline"])[0]
            assert contrast(ring, colours(focus["background"])[0]) >= 3, focus
            for halo in colours(focus["halo"]):
                assert contrast(ring, halo) >= 3, focus
        assert len(seen) >= 12  # links and buttons of the page and the language menu
    finally:
        context.close()


@pytest.mark.parametrize("code", ["sv", "fi", "ti"])
def test_read_aloud_stays_hidden_without_a_voice(site, browser, code):
    base, pages = site
    for voices in ([], None):  # none at all, and what this headless Chromium has
        context, page, _ = open_page(browser, base + pages[(code, "overview")], voices=voices)
        try:
            if voices is None and page.evaluate("speechSynthesis.getVoices().length"):
                continue  # this browser has voices: the stand-in above is the check
            assert not page.is_visible(".read-aloud")
            assert not page.is_visible(".read-stop")
        finally:
            context.close()


def test_finnish_is_read_by_a_finnish_voice_never_a_filipino_one(site, browser):
    base, pages = site
    address = base + pages[("fi", "appointment_reminder")]
    context, page, _ = open_page(browser, address, voices=["fil-PH", "fr-FR"])
    try:
        assert not page.is_visible(".read-aloud")
    finally:
        context.close()
    context, page, _ = open_page(browser, address, voices=["fil-PH", "fi-FI"])
    try:
        page.click(".read-aloud")
        spoken = page.evaluate("window.spoken")
        assert spoken[0] == "cancel" and spoken[1]["voice"] == "fi-FI"
        assert "Lina Berg" in " ".join(s["text"] for s in spoken[1:])
    finally:
        context.close()


def test_dari_is_read_by_a_dari_voice_where_there_is_one_else_persian(site, browser):
    base, pages = site
    address = base + pages[("prs", "overview")]
    for voices, wanted in ((["fa-IR", "fa-AF"], "fa-AF"), (["fa_IR"], "fa_IR")):
        context, page, _ = open_page(browser, address, voices=voices)
        try:
            page.click(".read-aloud")
            assert page.evaluate("window.spoken")[1]["voice"] == wanted
        finally:
            context.close()


def test_reading_aloud_can_be_stopped(site, browser):
    base, pages = site
    context, page, _ = open_page(browser, base + pages[("sv", "overview")], voices=["sv-SE"])
    try:
        assert not page.is_visible(".read-stop")
        page.focus(".read-aloud")
        page.keyboard.press("Enter")
        assert page.is_visible(".read-stop")
        page.focus(".read-stop")
        page.keyboard.press("Enter")
        assert page.evaluate("window.spoken").count("cancel") == 2
        assert not page.is_visible(".read-stop")
        # The stop button went away under the keyboard: focus goes back to "Läs upp".
        assert page.evaluate("document.activeElement.classList.contains('read-aloud')")
        page.click(".read-aloud")
        page.evaluate("window.speechSynthesis.finish()")  # read to the end
        assert not page.is_visible(".read-stop")
    finally:
        context.close()


FONT_LOADED = """
Array.from(document.fonts).some(face => face.family.replace(/"/g, "") === "Noto Sans Ethiopic"
                                        && face.status === "loaded")
"""


def installed_ethiopic_font() -> bool:
    """Whether this machine has Noto Sans Ethiopic itself: page.css then takes it, local()."""
    fc_list = shutil.which("fc-list")
    if fc_list is None:
        return False
    found = subprocess.run(
        [fc_list, ":family=Noto Sans Ethiopic"], capture_output=True, text=True, check=False
    )
    return bool(found.stdout.strip())


def test_tigrinya_gets_the_apps_ethiopic_font_and_other_languages_do_not_fetch_it(site, browser):
    base, pages = site
    installed = installed_ethiopic_font()
    context, page, outside = open_page(browser, base + pages[("ti", "overview")])
    try:
        assert outside == []
        fetched = [url.rsplit("/", 1)[1] for url in page.fetched if url.endswith(".woff2")]
        if not installed:
            assert "NotoSansEthiopic-Regular.woff2" in fetched
            assert "NotoSansEthiopic-Bold.woff2" in fetched  # the headings
        assert page.evaluate(FONT_LOADED)
    finally:
        context.close()
    context, page, _ = open_page(browser, base + pages[("sv", "overview")])
    try:
        # The language menu names ትግርኛ in Ethiopic: only the few letters of that name come,
        # from a font of their own, never the whole script.
        fonts = [url.rsplit("/", 1)[1] for url in page.fetched if url.endswith(".woff2")]
        assert fonts == ([] if installed else ["NotoSansEthiopic-Names.woff2"])
    finally:
        context.close()
