"""PIN guessing: one count per client across the pages and the phone, taken before the PIN
is checked, locks that grow longer, a limit per call, the audit and the case worker's Today.

Issue 16, item 6 and the item-13 finding "a PIN failure on a page is audited as 'by phone'".
"""

import re
import threading
import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta
from urllib.parse import urlparse

import pytest
from sqlmodel import Session, select

from app.casework import pins
from app.errors import InvalidInput
from app.models import AuditEvent, Client, LinkPurpose, Unit
from app.pages import links
from tests.admin.conftest import PASSWORD, post, sign_in
from tests.factories import create_client, create_staff, create_unit, password_hash_of
from tests.signing import BASE, post_signed

NOW = datetime(2026, 3, 3, 9, 0, tzinfo=UTC)
PIN = "4826"
MENU_NUMBER = "+46846500401"
CALL_A, CALL_B, CALL_C = ("CA" + digit * 32 for digit in "abc")
HOUR = timedelta(hours=1)

pytestmark = pytest.mark.frozen_at(NOW)


@pytest.fixture
def lina(session):
    unit = create_unit(session, phone_menu_number=MENU_NUMBER)
    return create_staff(
        session,
        unit,
        email="lina@ekby.example",
        name="Lina Berg",
        phone="+46701740605",
        password_hash=password_hash_of(PASSWORD),
    )


def discreet_client(session, staff, pin=PIN, **values) -> Client:
    client = create_client(session, staff, privacy="discreet", **values)
    pins.set_pin(session, client, pin)
    session.commit()
    return client


@pytest.fixture
def sara(session, lina):
    return discreet_client(session, lina)


def page_of(session, client) -> str:
    """The path of a fresh overview link of the client."""
    token = links.create(session, client, LinkPurpose.OVERVIEW, NOW)
    session.commit()
    return f"/p/{token}"


def on_page(app, path: str, pin: str) -> str:
    """Type a PIN on the page, in a browser of its own: 'ok', 'wrong' or 'locked'."""
    response = app.test_client().post(path, data={"pin": pin})
    if response.status_code == 303:
        return "ok"
    html = response.get_data(as_text=True)
    if "Pinkoden var fel." in html:
        return "wrong"
    if "Du har skrivit fel pinkod för många gånger." in html:
        return "locked"
    return html


class Call:
    """One phone call to the menu from the client's number, posted step by step as Twilio
    does, with its own CallSid."""

    def __init__(self, app, sid: str, phone: str = "+46700000001") -> None:
        self.web, self.sid, self.phone = app.test_client(), sid, phone
        self.root = None

    def post(self, url: str, **params) -> ET.Element:
        parts = urlparse(url)
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        data = {"CallSid": self.sid, "From": self.phone, "To": MENU_NUMBER, "AccountSid": "AC1"}
        response = post_signed(self.web, path, data | params)
        assert response.status_code == 200, response.data
        self.root = ET.fromstring(response.data)
        return self.root

    @property
    def said(self) -> str:
        return " ".join(el.text or "" for el in self.root.iter("Say"))

    def press(self, digits: str) -> ET.Element:
        return self.post(self.root.find("Gather").get("action"), Digits=digits)

    def asks_for_the_pin(self) -> bool:
        return self.root.find("Gather").get("numDigits") == "4"

    def documents(self) -> "Call":
        """Start the call (or go back to its menu) and press 2, which needs the PIN."""
        if self.root is None:
            self.post(f"{BASE}/twilio/voice")
        else:
            self.press("*")
        self.press("2")
        return self

    def type(self, pin: str) -> str:
        """Type a PIN where it is asked for: 'ok', 'wrong' or 'locked'."""
        assert self.asks_for_the_pin(), self.said
        self.press(pin)
        if "Pinkoden var fel." in self.said:
            return "wrong"
        if "fel pinkod för många gånger" in self.said:
            return "locked"
        if "Vi väntar inte på några papper från dig just nu." in self.said:
            return "ok"
        return self.said


def audited(session, action: str) -> list[str]:
    query = select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)
    return [event.detail for event in session.exec(query)]


def fresh(session, client: Client) -> Client:
    session.expire_all()
    return session.get(Client, client.id)


# The lock after five wrong PINs in a row


def test_five_wrong_pins_on_the_page_lock_it_for_an_hour_even_against_the_right_one(
    app, session, sara, frozen_clock
):
    path = page_of(session, sara)
    assert [on_page(app, path, pin) for pin in ("1111", "2222", "3333", "4444")] == ["wrong"] * 4
    assert on_page(app, path, "5555") == "locked"
    assert on_page(app, path, PIN) == "locked"
    assert fresh(session, sara).pin_locked_until == NOW + HOUR
    assert audited(session, "pin_failed") == [
        f"wrong PIN on the page ({n} in a row)" for n in range(1, 6)
    ]
    assert audited(session, "pin_locked") == [
        "locked for 60 minutes after wrong PINs on the page (lock 1 in a row)"
    ]
    frozen_clock.move_to(NOW + HOUR - timedelta(seconds=1))
    assert on_page(app, path, PIN) == "locked"
    frozen_clock.move_to(NOW + HOUR)  # the lock is over at the moment it said
    assert on_page(app, path, PIN) == "ok"


def test_a_right_pin_starts_the_count_again(app, session, sara):
    path = page_of(session, sara)
    assert [on_page(app, path, p) for p in ("1111", "2222", "3333", "4444", PIN)] == (
        ["wrong"] * 4 + ["ok"]
    )
    assert [on_page(app, path, p) for p in ("1111", "2222", "3333", "4444")] == ["wrong"] * 4
    assert fresh(session, sara).pin_locked_until is None


def test_locks_in_a_row_last_one_then_four_then_24_hours(app, session, sara, frozen_clock):
    path = page_of(session, sara)
    now, lengths = NOW, (HOUR, 4 * HOUR, 24 * HOUR, 24 * HOUR)
    for length in lengths:
        frozen_clock.move_to(now)
        assert [on_page(app, path, "1111") for _ in range(5)] == ["wrong"] * 4 + ["locked"]
        assert fresh(session, sara).pin_locked_until == now + length
        frozen_clock.move_to(now + length - timedelta(seconds=1))
        assert on_page(app, path, PIN) == "locked"
        now += length
    client = fresh(session, sara)
    assert (client.pin_locked_at, client.pin_locks) == (now - 24 * HOUR, 4)
    assert audited(session, "pin_locked") == [
        f"locked for {minutes} minutes after wrong PINs on the page (lock {lock} in a row)"
        for lock, minutes in ((1, 60), (2, 240), (3, 1440), (4, 1440))
    ]
    # The right PIN after a lock: the next lock is short again.
    frozen_clock.move_to(now)
    assert on_page(app, path, PIN) == "ok"
    assert [on_page(app, path, "1111") for _ in range(5)] == ["wrong"] * 4 + ["locked"]
    assert fresh(session, sara).pin_locked_until == now + HOUR


def test_a_new_pin_from_staff_unlocks_and_starts_the_locks_again(app, session, sara, frozen_clock):
    path = page_of(session, sara)
    for _ in range(2):
        assert [on_page(app, path, "1111") for _ in range(5)][-1] == "locked"
        frozen_clock.move_to(fresh(session, sara).pin_locked_until)
    assert [on_page(app, path, "1111") for _ in range(5)][-1] == "locked"
    client = fresh(session, sara)
    assert client.pin_locked_until == NOW + 5 * HOUR + 24 * HOUR
    pins.set_pin(session, client, "5937")
    session.commit()
    client = fresh(session, sara)
    assert (client.pin_locked_until, client.pin_locked_at, client.pin_locks) == (None, None, 0)
    assert on_page(app, path, PIN) == "wrong"  # the old PIN is gone
    assert [on_page(app, path, "1111") for _ in range(4)][-1] == "locked"
    now = NOW + 5 * HOUR  # after the locks of one and four hours
    assert fresh(session, sara).pin_locked_until == now + HOUR  # one hour again
    frozen_clock.move_to(now + HOUR)
    assert on_page(app, path, "5937") == "ok"


# The phone: a limit per call, and one count with the pages


def test_three_wrong_pins_in_one_call_lock_it_even_after_star_and_2(app, session, sara):
    call = Call(app, CALL_A).documents()
    assert [call.type("1111"), call.type("2222")] == ["wrong", "wrong"]
    call.documents()  # * then 2: the same call, asked again
    assert call.type("3333") == "locked"
    assert "Tryck 1 för ditt nästa möte." in call.said  # back at the menu
    assert fresh(session, sara).pin_locked_until == NOW + HOUR
    assert audited(session, "pin_failed") == [
        f"wrong PIN by phone ({n} in a row)" for n in (1, 2, 3)
    ]
    assert audited(session, "pin_locked") == [
        "locked for 60 minutes after wrong PINs by phone (lock 1 in a row)"
    ]
    again = Call(app, CALL_B)
    again.post(f"{BASE}/twilio/voice")
    again.press("2")
    assert not again.asks_for_the_pin() and "fel pinkod för många gånger" in again.said


def test_the_limit_counts_each_call_apart(app, session, sara, frozen_clock):
    first, second = Call(app, CALL_A).documents(), Call(app, CALL_B).documents()
    assert [first.type("1111"), first.type("2222")] == ["wrong", "wrong"]
    assert [second.type("3333"), second.type("4444")] == ["wrong", "wrong"]  # two in this call
    assert second.documents().type(PIN) == "ok"
    assert fresh(session, sara).pin_locked_until is None
    # A call that used up its tries may try again after the lock, three times like any other.
    third = Call(app, CALL_C).documents()
    assert [third.type("1111"), third.type("2222"), third.type("3333")] == (
        ["wrong", "wrong", "locked"]
    )
    frozen_clock.move_to(NOW + HOUR)
    assert [third.documents().type("1111"), third.documents().type("2222")] == ["wrong"] * 2
    assert third.documents().type(PIN) == "ok"


def test_a_right_pin_gives_the_call_its_three_tries_again(session, sara):
    def by_phone(pin: str) -> str:
        result = pins.check_pin(session, sara, pin, NOW, channel=pins.PHONE, call_sid=CALL_A)
        session.commit()
        return result

    assert [by_phone("1111"), by_phone("2222"), by_phone(PIN)] == ["wrong", "wrong", "ok"]
    assert [by_phone("1111"), by_phone("2222"), by_phone("3333")] == ["wrong", "wrong", "locked"]


def test_the_page_and_the_phone_share_one_count_and_one_lock(app, session, sara):
    path = page_of(session, sara)
    first = Call(app, CALL_A).documents()
    assert [first.type("1111"), first.type("2222")] == ["wrong", "wrong"]
    assert on_page(app, path, "3333") == "wrong"
    assert Call(app, CALL_B).documents().type("4444") == "wrong"
    assert on_page(app, path, "5555") == "locked"  # the fifth in a row, wherever typed
    assert audited(session, "pin_failed") == [
        "wrong PIN by phone (1 in a row)",
        "wrong PIN by phone (2 in a row)",
        "wrong PIN on the page (3 in a row)",
        "wrong PIN by phone (4 in a row)",
        "wrong PIN on the page (5 in a row)",
    ]
    assert audited(session, "pin_locked") == [
        "locked for 60 minutes after wrong PINs on the page (lock 1 in a row)"
    ]
    events = session.exec(select(AuditEvent).where(AuditEvent.action.startswith("pin_"))).all()
    assert {(e.action, e.actor_type, e.client_id) for e in events} == {
        ("pin_failed", "client", sara.id),
        ("pin_locked", "system", sara.id),
    }
    # Locked on the page: locked on the phone too, for the right PIN as well.
    later = Call(app, CALL_C)
    later.post(f"{BASE}/twilio/voice")
    later.press("2")
    assert "fel pinkod för många gånger" in later.said
    assert on_page(app, path, PIN) == "locked"


# Tries that arrive together


def test_tries_past_the_limit_are_refused_without_looking_at_the_pin(session, sara):
    """Five tries were taken by requests still checking theirs: a sixth, even the right PIN,
    is not checked, and the PIN locks."""
    sara.pin_failures = pins.MAX_FAILURES
    session.add(sara)
    session.commit()
    assert pins.check_pin(session, sara, PIN, NOW, channel=pins.PAGE) == "locked"
    session.commit()
    assert audited(session, "pin_failed") == []
    assert audited(session, "pin_locked") == [
        "locked for 60 minutes after wrong PINs on the page (lock 1 in a row)"
    ]
    client = fresh(session, sara)
    assert (client.pin_failures, client.pin_locked_until) == (0, NOW + HOUR)


def test_tries_past_the_limit_of_a_call_are_refused_without_looking_at_the_pin(session, sara):
    sara.pin_failures, sara.pin_call_sid = pins.TRIES_PER_CALL, CALL_A
    sara.pin_call_failures = pins.TRIES_PER_CALL
    session.add(sara)
    session.commit()
    assert pins.check_pin(session, sara, PIN, NOW, channel=pins.PHONE, call_sid=CALL_A) == "locked"
    session.commit()
    assert audited(session, "pin_failed") == []
    assert audited(session, "pin_locked")[-1].endswith("by phone (lock 1 in a row)")


def test_a_try_on_a_locked_pin_is_refused_and_logged(session, sara):
    for _ in range(pins.MAX_FAILURES):
        pins.check_pin(session, sara, "1111", NOW, channel=pins.PAGE)
    session.commit()
    typed = pins.check_pin(session, sara, PIN, NOW, channel=pins.PHONE, call_sid=CALL_A)
    session.commit()
    assert typed == "locked"
    assert audited(session, "pin_refused") == ["PIN not checked by phone: locked"]
    refused = session.exec(select(AuditEvent).where(AuditEvent.action == "pin_refused")).one()
    assert (refused.actor_type, refused.client_id) == ("client", sara.id)
    assert fresh(session, sara).pin_locks == 1  # refusing is not another lock


def test_a_client_without_a_pin_is_told_so_and_nothing_is_counted(session, lina):
    client = create_client(session, lina, privacy="discreet")
    assert pins.check_pin(session, client, "1234", NOW, channel=pins.PAGE) == "none"
    session.commit()
    assert fresh(session, client).pin_failures == 0
    assert audited(session, "pin_failed") == audited(session, "pin_refused") == []


def test_a_stale_copy_of_the_client_counts_from_the_row(app, session, sara):
    """A request that read the client before another locked it or gave a new PIN still
    counts the row as it is now, and its copy says what happened."""
    with Session(app.extensions["tydligt.engine"], expire_on_commit=False) as other:
        copy = other.get(Client, sara.id)
        for _ in range(pins.MAX_FAILURES):
            pins.check_pin(other, copy, "1111", NOW, channel=pins.PAGE)
        other.commit()
    later = NOW + HOUR
    assert sara.pin_locks == 0  # the stale copy
    results = [pins.check_pin(session, sara, "1111", later, channel=pins.PAGE) for _ in range(5)]
    session.commit()
    assert results == ["wrong"] * 4 + ["locked"]
    assert sara.pin_locked_until == later + 4 * HOUR  # the second lock in a row
    assert pins.state(sara, later) == "locked"
    with Session(app.extensions["tydligt.engine"], expire_on_commit=False) as staff:
        pins.set_pin(staff, staff.get(Client, sara.id), "5937")
        staff.commit()
    assert pins.check_pin(session, sara, "5937", later, channel=pins.PAGE) == "ok"
    session.commit()
    assert fresh(session, sara).pin_failures == 0


def test_a_new_pin_from_staff_gives_a_call_in_progress_its_three_tries_again(session, sara):
    def by_phone(pin: str) -> str:
        result = pins.check_pin(session, sara, pin, NOW, channel=pins.PHONE, call_sid=CALL_A)
        session.commit()
        return result

    assert [by_phone("1111"), by_phone("2222")] == ["wrong", "wrong"]
    pins.set_pin(session, sara, "5937")
    session.commit()
    assert [by_phone("1111"), by_phone("2222"), by_phone("3333")] == ["wrong", "wrong", "locked"]


@pytest.mark.parametrize("typed", ["12", "12345", "12a4", "", "    "])
def test_a_new_pin_is_four_digits(typed):
    with pytest.raises(InvalidInput) as refused:
        pins.set_pin(None, Client(unit_id=1, first_name="x", phone="+46700000001"), typed)
    assert refused.value.errors == {"pin": "The PIN must be 4 digits."}


def test_a_pin_may_be_typed_in_any_digits_with_spaces_around(app, session, lina):
    client = create_client(session, lina, privacy="discreet")
    pins.set_pin(session, client, " ٤٨٢٦ ")
    session.commit()
    assert on_page(app, page_of(session, client), "۴۸۲۶ ") == "ok"


def test_49_wrong_pins_at_once_are_checked_five_times_and_the_right_one_then_fails(
    app, session, sara
):
    """The race from the issue, with real concurrent requests on their own connections:
    guesses posted at once, and the right PIN as soon as five answers have come back."""
    path = page_of(session, sara)
    guesses = [f"{1000 + n}" for n in range(49)]
    start = threading.Barrier(len(guesses))
    answered = threading.Semaphore(0)
    answers, errors = [], []

    def guess(pin: str) -> None:
        try:
            start.wait(timeout=30)
            answers.append(on_page(app, path, pin))
        except Exception as exc:  # reported below, in the test's thread
            errors.append(exc)
        finally:
            answered.release()

    threads = [threading.Thread(target=guess, args=(pin,)) for pin in guesses]
    for thread in threads:
        thread.start()
    for _ in range(pins.MAX_FAILURES):
        assert answered.acquire(timeout=120)
    right = on_page(app, path, PIN)  # others may still be on their way
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    assert right == "locked"
    assert sorted(answers) == ["locked"] * 45 + ["wrong"] * 4
    assert len(audited(session, "pin_failed")) == pins.MAX_FAILURES
    assert len(audited(session, "pin_locked")) == 1
    assert fresh(session, sara).pin_locked_until == NOW + HOUR


# Today: the case worker hears of it


def pin_panel(web) -> str:
    html = web.get("/admin/").get_data(as_text=True)
    return re.search(r'id="h-pins".*?</section>', html, re.S).group(0)


def test_today_shows_the_case_worker_a_pin_that_locked(app, client, session, lina, sara):
    colleague = create_staff(
        session, session.get(Unit, lina.unit_id), email="omar@ekby.example", name="Omar Haddad"
    )
    nils = discreet_client(session, colleague, first_name="Nils", phone="+46700000002")
    for locked in (sara, nils):
        path = page_of(session, locked)
        assert [on_page(app, path, "1111") for _ in range(5)][-1] == "locked"
    sign_in(client, lina, language="sv")
    panel = pin_panel(client)
    assert "Låsta pinkoder" in panel
    assert "Sara Lind" in panel and "Pinkoden låstes" in panel
    assert "Nils" not in panel  # another case worker's client
    post(client, f"/admin/clients/{sara.id}/pin", {"pin": "5937"})
    assert "Sara Lind" not in pin_panel(client)  # staff gave a new PIN: seen to
    assert "Ingen pinkod har låsts den senaste tiden." in pin_panel(client)


def test_today_forgets_a_lock_after_a_week(app, client, session, lina, sara, frozen_clock):
    path = page_of(session, sara)
    assert [on_page(app, path, "1111") for _ in range(5)][-1] == "locked"
    frozen_clock.move_to(NOW + timedelta(days=7))
    sign_in(client, lina)
    assert "Sara Lind" in pin_panel(client)
    assert "The PIN locked" in pin_panel(client)
    frozen_clock.move_to(NOW + timedelta(days=7, seconds=1))
    assert "Sara Lind" not in pin_panel(client)
