"""Every staff page in a real headless Chromium at 320 and 1280 px (WCAG 2.2 AA):
axe-core finds nothing, no page scrolls sideways at 320 px (1.4.10), the menu folds into
one button on a phone, tables show every column there, client texts carry their language
and direction (3.1.2), and a form sent back with errors moves focus to its summary.

The pages are found by walking the links from the start page, the navigation and the
client page, as a case worker and as an administrator, one page per kind of address: a
page added to the staff side later is checked without being named here.

Runs once (with the PostgreSQL suite, which has fewer browser tests): the pages do not depend on
the database engine.
"""

import re
from collections import deque
from datetime import UTC, date, datetime, timedelta
from html.parser import HTMLParser
from urllib.parse import parse_qsl, urlsplit

import pytest
from playwright.sync_api import expect
from sqlmodel import Session, select

from app.api import keys
from app.casework import checklists
from app.demo import load_demo
from app.models import (
    CallbackRequest,
    Client,
    Decision,
    FeedbackAnswer,
    InboundMessage,
    OutboxMessage,
    OutboxStatus,
    Representative,
    StaffUser,
)
from app.outbox.sweep import send_due
from tests.browser import app_on_fresh_database, axe_problems, pass_second_factor, served
from tests.conftest import BACKEND
from tests.factories import password_hash_of

PASSWORD = "correct horse battery"
CASEWORKER = "lina.berg@ekby.example"  # from the demo
ADMINISTRATOR = "admin@ekby.example"
WIDTHS = (320, 390, 1280)
# The walk over every staff page (the suite's slowest test) at the narrowest phone and a
# laptop: a fluid page that neither scrolls sideways at 320 px nor breaks at 1280 px has
# nothing new at 390 px, and axe's rules do not depend on the width in between. The pages
# before signing in and the forms below are still checked at 390 px too.
WALK_WIDTHS = (320, 1280)
# What clients wrote, in their own words (fictional): Reza writes Persian, Layla Arabic.
PERSIAN = "سلام، فردا ساعت ده می‌توانم بیایم؟"  # "Hello, can I come tomorrow at ten?"
ARABIC = "هل يمكنني تغيير موعدي يوم الخميس؟"  # "Can I change my meeting on Thursday?"
# Letters of scripts no staff page is written in: a text holding them is a client's.
CLIENT_SCRIPTS = r"[\u0590-\u08ff\u1200-\u139f\u0400-\u04ff]"

pytestmark = [
    pytest.mark.slow,
    # The walk uses its own SQLite file whatever the run's database, so it runs once, with
    # the PostgreSQL run: make test runs the two at once, and the browser tests would
    # otherwise all fall on the SQLite run, which would then take minutes longer.
    pytest.mark.skipif(
        BACKEND != "postgresql", reason="staff pages are walked once, with the PostgreSQL run"
    ),
]


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """The demo unit (a client in every language, their messages sent) and something in
    every list: texts to answer, a callback, a failure, a representative, documents, a
    decision, a key and feedback."""
    folder = tmp_path_factory.mktemp("staff-pages")
    app = app_on_fresh_database(folder)
    engine = app.extensions["tydligt.engine"]
    now = datetime.now(UTC)
    with app.app_context():
        with Session(engine, expire_on_commit=False) as session:
            load_demo(session, now)
            for staff in session.exec(select(StaffUser)).all():
                staff.password_hash = password_hash_of(PASSWORD)
                session.add(staff)
            session.commit()
        send_due(now)
        with Session(engine, expire_on_commit=False) as session:
            clients = {c.language: c for c in session.exec(select(Client)).all()}
            reza, layla, sara = clients["fa"], clients["ar"], clients["sv"]
            session.add_all(
                [
                    InboundMessage(provider_id="SMfa1", from_phone=reza.phone, client_id=reza.id,
                                   body=PERSIAN, needs_answer=True, intent="free_text",
                                   received_at=now - timedelta(hours=1)),
                    InboundMessage(provider_id="SMar1", from_phone=layla.phone,
                                   client_id=layla.id, body=ARABIC, needs_answer=True,
                                   intent="free_text", received_at=now - timedelta(hours=2)),
                    InboundMessage(provider_id="SMunknown", from_phone="+46700000099",
                                   unit_id=sara.unit_id, body="Hej, vem är det här?",
                                   needs_answer=True,
                                   intent="free_text", received_at=now - timedelta(hours=3)),
                    CallbackRequest(client_id=layla.id, language="ar", interpreter_needed=True),
                    Representative(client_id=reza.id, name="Maryam Karimi", role="relative",
                                   phone="+46700000098", language="fa",
                                   copy_appointments=True),
                    Decision(client_id=sara.id, service="boendestod", status="decided",
                             outcome="approved", scope_amount=6, scope_unit="hours_per_week",
                             valid_from=now.date(), decided_on=now.date()),
                    FeedbackAnswer(unit_id=sara.unit_id, score=1, answered_on=now.date()),
                ]
            )  # fmt: skip
            failed = session.exec(
                select(OutboxMessage).where(OutboxMessage.client_id == layla.id)
            ).first()
            failed.status = OutboxStatus.FAILED
            failed.final_at = now
            failed.last_error = "30003 Unreachable destination handset"
            checklists.create(session, sara, application_type="ekonomiskt_bistand",
                              due_date=date.today() + timedelta(days=14),
                              staff_id=sara.caseworker_id, now=now)  # fmt: skip
            keys.create(session, unit_id=sara.unit_id, name="Lifecare", scopes="read")
            session.commit()
    with served(app) as base:
        yield base


class Links(HTMLParser):
    """The addresses of a page's links."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag, attrs):
        href = dict(attrs).get("href")
        if tag == "a" and href:
            self.found.append(href)


def kind_of(address: str) -> tuple[str, tuple[str, ...]]:
    """Addresses that differ only in ids, a language's code or the values of their query
    are one kind."""
    parts = urlsplit(address)
    path = re.sub(r"/recordings/[a-z]{2,3}(?=/|$)", "/recordings/L", parts.path)
    return re.sub(r"\d+", "N", path), tuple(sorted(k for k, _v in parse_qsl(parts.query)))


def walk(context, start: list[str], skip: set) -> list[str]:
    """One address of every kind of staff page reachable from `start` (GET only: every
    change is a form posted), skipping the kinds in `skip` and adding what it finds."""
    found = []
    queue = deque((address, True) for address in start)
    while queue:
        address, starting = queue.popleft()
        address = address.split("#")[0]
        parts = urlsplit(address)
        if parts.netloc or not (parts.path == "/" or parts.path.startswith("/admin/")):
            continue  # client pages, the API and the outside world have their own tests
        kind = kind_of(address)
        if kind in skip and not starting:
            continue
        response = context.request.get(address, max_redirects=0)
        if response.status != 200 or "text/html" not in response.headers["content-type"]:
            continue  # pictures, recordings, downloads and redirects are not pages
        if kind not in skip:
            found.append(address)
            skip.add(kind)
        parser = Links()
        parser.feed(response.text())
        queue.extend((link, False) for link in parser.found)
    return found


def sign_in(browser, base: str, email: str, width: int):
    """A new browser context of `width` px, signed in through the form, in English."""
    # bypass_csp only lets the test inject axe-core; the headers are tested in test_auth.
    context = browser.new_context(viewport={"width": width, "height": 800}, base_url=base,
                                  bypass_csp=True)  # fmt: skip
    tab = context.new_page()
    tab.goto("/admin/login")
    tab.get_by_role("button", name="English").click()
    tab.get_by_label("E-mail address").fill(email)
    tab.get_by_label("Password").fill(PASSWORD)
    tab.get_by_role("button", name="Sign in").click()
    pass_second_factor(tab, email)
    tab.wait_for_url("**/admin/")
    return context, tab


@pytest.fixture(scope="module")
def signed_in(site, browser):
    """One context per viewport and person, opened when first asked for."""
    opened = {}

    def open_tab(width: int, email: str = CASEWORKER):
        if (width, email) not in opened:
            opened[(width, email)] = sign_in(browser, site, email, width)
        return opened[(width, email)][1]

    yield open_tab
    for context, _tab in opened.values():
        context.close()


@pytest.fixture(scope="module")
def staff_pages(signed_in) -> list[tuple[str, str]]:
    """(who, address) of every kind of staff page: the case worker's from the start page,
    Today and the client page of a Persian-speaking client with a representative; then what
    only the administrator has."""
    caseworker = signed_in(1280, CASEWORKER)
    reza = caseworker.context.request.get("/admin/clients").text()
    reza_page = re.search(r'href="(/admin/clients/\d+)">Reza Karimi', reza).group(1)
    seen: set = set()
    pages = [(CASEWORKER, a) for a in walk(caseworker.context, ["/", reza_page, "/admin/"], seen)]
    administrator = signed_in(1280, ADMINISTRATOR)
    pages += [(ADMINISTRATOR, a) for a in walk(administrator.context, ["/admin/"], seen)]
    walked = {kind_of(address)[0] for _who, address in pages}
    for expected in ("/", "/admin/", "/admin/clients", "/admin/clients/N", "/admin/inbox",
                     "/admin/inbox/N", "/admin/outbox", "/admin/settings", "/admin/staff",
                     "/admin/api-keys", "/admin/clients/new",
                     "/admin/clients/N/appointments/new",
                     "/admin/representatives/N/edit"):  # fmt: skip
        assert expected in walked, (expected, sorted(walked))
    return pages


# What the page says about itself: overflow, the menu, and where client texts are held.
MEASURE = """(pattern) => {
  const script = new RegExp(pattern);
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const texts = [];
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const holder = node.parentElement;
    // An option holds only text: "Arabic – العربية" cannot mark its native part.
    if (!script.test(node.data) || holder.closest("option")) continue;
    const lang = holder.closest("[lang]");
    const dir = holder.closest("[dir]");
    texts.push({text: node.data.trim().slice(0, 30),
                lang: lang && lang !== document.documentElement ? lang.getAttribute("lang") : null,
                dir: dir ? dir.getAttribute("dir") : null});
  }
  const nav = document.querySelector("header nav");
  return {width: document.documentElement.scrollWidth,
          nav: nav ? nav.getBoundingClientRect().height : 0, texts: texts};
}"""


@pytest.mark.parametrize("width", WALK_WIDTHS)
def test_every_staff_page_is_accessible_at(width, signed_in, staff_pages):
    problems = []
    for who, address in staff_pages:
        tab = signed_in(width, who)
        tab.goto(address)
        problems += [f"{address}: {p}" for p in axe_problems(tab)]
        seen = tab.evaluate(MEASURE, CLIENT_SCRIPTS)
        if width <= 390 and seen["width"] > width:
            problems.append(f"{address}: {seen['width']} px wide at {width} px")
        if width <= 390 and seen["nav"] > 56:  # one row: the menu button, or nothing
            problems.append(f"{address}: the menu is {seen['nav']:.0f} px high")
        for text in seen["texts"]:
            if text["lang"] is None or text["dir"] is None:
                problems.append(f"{address}: {text} has no language or direction")
    assert problems == [], "\n".join(problems)


@pytest.mark.parametrize("width", WIDTHS)
def test_the_pages_before_signing_in_are_accessible_at(width, site, browser):
    context = browser.new_context(viewport={"width": width, "height": 800}, base_url=site,
                                  bypass_csp=True)  # fmt: skip
    tab = context.new_page()
    problems = []
    for address in ("/", "/admin/login"):
        tab.goto(address)
        problems += [f"{address}: {p}" for p in axe_problems(tab)]
        if tab.evaluate("document.documentElement.scrollWidth") > width:
            problems.append(f"{address}: wider than {width} px")
    tab.get_by_role("button", name="Logga in").click()  # nothing filled in
    expect(tab.locator("#error-summary")).to_be_focused()
    assert tab.title().startswith("Fel: ")
    problems += [f"sign-in with errors: {p}" for p in axe_problems(tab)]
    context.close()
    assert problems == [], "\n".join(problems)


@pytest.mark.parametrize("width", (320, 390))
def test_on_a_phone_the_menu_is_one_button_used_by_keyboard(width, signed_in):
    tab = signed_in(width)
    tab.goto("/admin/clients")
    menu = tab.get_by_role("navigation", name="Main menu")
    button = menu.get_by_role("button", name="Menu")
    expect(button).to_have_attribute("aria-expanded", "false")
    expect(menu.get_by_role("link", name="Inbox")).to_be_hidden()
    button.focus()
    tab.keyboard.press("Enter")
    expect(button).to_have_attribute("aria-expanded", "true")
    expect(menu.get_by_role("link", name="Inbox")).to_be_visible()
    tab.keyboard.press("Tab")  # the first link follows the button
    assert tab.evaluate("document.activeElement.textContent.trim()") == "Today"
    current = menu.get_by_role("link", name="Clients", exact=True)
    expect(current).to_have_attribute("aria-current", "page")
    tab.keyboard.press("Escape")
    expect(button).to_have_attribute("aria-expanded", "false")
    expect(button).to_be_focused()
    expect(menu.get_by_role("link", name="Inbox")).to_be_hidden()
    tab.keyboard.press("Space")
    expect(menu.get_by_role("link", name="Inbox")).to_be_visible()
    menu.get_by_role("link", name="Inbox").click()
    tab.wait_for_url("**/admin/inbox")
    expect(tab.get_by_role("heading", level=1)).to_have_text("Inbox")


def test_on_a_laptop_the_menu_is_one_row_of_links(signed_in):
    tab = signed_in(1280)
    tab.goto("/admin/")
    menu = tab.get_by_role("navigation", name="Main menu")
    expect(menu.get_by_role("button", name="Menu")).to_be_hidden()
    tops = {round(box["y"]) for box in (a.bounding_box() for a in menu.get_by_role("link").all())}
    assert len(tops) == 1


def without_javascript(site, browser, width: int):
    """A context of `width` px without JavaScript, signed in (in Swedish)."""
    context = browser.new_context(viewport={"width": width, "height": 800}, base_url=site,
                                  java_script_enabled=False)  # fmt: skip
    tab = context.new_page()
    tab.goto("/admin/login")
    tab.get_by_label("E-postadress").fill(CASEWORKER)
    tab.get_by_label("Lösenord").fill(PASSWORD)
    tab.get_by_role("button", name="Logga in").click()
    tab.wait_for_url("**/admin/")
    return context, tab


def test_without_javascript_the_menu_is_all_there_on_a_phone(site, browser):
    context, tab = without_javascript(site, browser, 390)
    menu = tab.get_by_role("navigation", name="Huvudmeny")
    expect(menu.get_by_role("link", name="Inkorg")).to_be_visible()
    assert menu.get_by_role("button").count() == 0
    context.close()


@pytest.mark.parametrize("width", (320, 390))
def test_on_a_phone_tables_show_every_column_labelled_by_its_header(width, signed_in):
    tab = signed_in(width)
    for address in ("/admin/outbox", "/admin/clients", "/admin/inbox?state=all"):
        tab.goto(address)
        table = tab.locator("main table").first
        headers = [h.strip() for h in table.locator("thead th").all_inner_texts()]
        row = table.locator("tbody tr").first
        cells = row.locator("td, th")
        assert cells.count() == len(headers), address
        for index, header in enumerate(headers):
            cell = cells.nth(index)
            box = cell.bounding_box()
            assert box and box["x"] >= 0 and box["x"] + box["width"] <= width, (address, header)
            assert cell.get_attribute("data-label") == header, (address, header)
            shown = cell.evaluate("e => getComputedStyle(e, '::before').content")
            assert shown == f'"{header}"', (address, header, shown)


def test_without_javascript_a_wide_table_is_a_named_region_the_keyboard_scrolls(site, browser):
    context, tab = without_javascript(site, browser, 320)
    tab.goto("/admin/outbox")
    region = tab.get_by_role("region", name="Utkorg")
    assert region.evaluate("e => e.scrollWidth > e.clientWidth")  # the table does not fit
    tab.keyboard.press("Tab")  # from the skip link on, the region is among the tab stops
    for _press in range(60):
        if region.evaluate("e => e === document.activeElement"):
            break
        tab.keyboard.press("Tab")
    expect(region).to_be_focused()
    for _press in range(10):  # a key may come while the page still scrolls the region into view
        tab.keyboard.press("ArrowRight")
        tab.wait_for_timeout(100)
        if region.evaluate("e => e.scrollLeft") > 0:
            break
    assert region.evaluate("e => e.scrollLeft") > 0
    assert tab.evaluate("document.documentElement.scrollWidth") <= 320
    context.close()


@pytest.mark.parametrize("width", (320, 1280))
def test_a_form_sent_back_with_errors_takes_focus_to_its_summary(width, signed_in):
    tab = signed_in(width)
    tab.goto("/admin/clients/new")
    tab.get_by_role("button", name="Register").click()
    summary = tab.locator("#error-summary")
    expect(summary).to_be_focused()
    assert tab.title().startswith("Error: ")
    link = summary.get_by_role("link", name="First name: Fill this in.")
    link.click()
    field = tab.get_by_label("First name")
    expect(field).to_be_focused()
    expect(field).to_have_attribute("aria-invalid", "true")
    # The red border: 3 px in the error colour, not the black of every other field.
    assert field.evaluate("e => getComputedStyle(e).borderTopColor") == "rgb(179, 38, 30)"
    assert field.evaluate("e => getComputedStyle(e).borderTopWidth") == "3px"
    assert axe_problems(tab) == []


def test_a_radio_group_with_an_error_is_invalid_described_and_linked(signed_in):
    tab = signed_in(390)
    tab.goto("/admin/send")
    tab.get_by_role("button", name="Preview").click()
    summary = tab.locator("#error-summary")
    expect(summary).to_be_focused()
    group = tab.get_by_role("group", name="To whom")
    choices = group.get_by_role("radio")
    error = group.locator(".field-error")
    for index in range(choices.count()):
        expect(choices.nth(index)).to_have_attribute("aria-invalid", "true")
        described = choices.nth(index).get_attribute("aria-describedby").split()
        assert error.get_attribute("id") in described
    summary.get_by_role("link", name=re.compile("^To whom: ")).click()
    expect(choices.first).to_be_focused()
    assert axe_problems(tab) == []


def test_client_texts_carry_their_language_on_the_pages_staff_read_them(signed_in):
    tab = signed_in(390)
    tab.goto("/admin/")
    for text, lang in ((PERSIAN, "fa"), (ARABIC, "ar")):
        holder = tab.get_by_text(text).first
        assert holder.evaluate("e => e.closest('[lang]').lang") == lang
        assert holder.evaluate("e => e.closest('[dir]').getAttribute('dir')") == "auto"
