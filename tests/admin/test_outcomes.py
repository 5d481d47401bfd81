"""The outcomes page: the unit's managers see delivery, confirmation, no-show and callback
figures as charts with tables, for a chosen range of months, with every rate explained;
case workers neither see it nor find it in the menu."""

import re
from datetime import UTC, datetime, timedelta

import pytest

from app import access
from app.models import Appointment, CallbackRequest, OutboxMessage
from tests.admin.conftest import sign_in
from tests.factories import create_client, create_staff, create_unit

NOW = datetime(2026, 6, 15, 10, 0, tzinfo=UTC)
MAY = datetime(2026, 5, 12, 8, 0, tzinfo=UTC)

pytestmark = pytest.mark.frozen_at(NOW)


@pytest.fixture
def may(session, sara, amal):
    """May: three texts to Sara (two delivered), two meetings with attendance, a callback
    answered after 90 minutes; and a client of another unit whose figures never show."""
    confirmed = Appointment(client_id=sara.id, starts_at=MAY, response="confirmed",
                            attendance="came")  # fmt: skip
    missed = Appointment(client_id=amal.id, starts_at=MAY, attendance="no_show")
    session.add_all([confirmed, missed])
    session.flush()
    for number, status in enumerate(("delivered", "delivered", "undelivered")):
        session.add(OutboxMessage(kind="appointment_reminder", client_id=sara.id,
                                  dedupe_key=f"t{number}", due_at=MAY, sent_at=MAY,
                                  status=status, language="sv", subject_type="appointment",
                                  subject_id=confirmed.id))  # fmt: skip
    answered = MAY + timedelta(minutes=90)
    session.add(CallbackRequest(client_id=amal.id, unit_id=amal.unit_id, language="ar",
                                created_at=MAY, handled_at=answered))  # fmt: skip
    other = create_unit(session, name="Västby", phone="+46846500500")
    stranger = create_client(session, create_staff(session, other, email="v@vastby.example"),
                             phone="+46700000009")  # fmt: skip
    for number in range(5):
        session.add(OutboxMessage(kind="welcome", client_id=stranger.id, dedupe_key=f"v{number}",
                                  due_at=MAY, sent_at=MAY, status="failed"))  # fmt: skip
    session.commit()


def text(response) -> str:
    return re.sub(r"\s+", " ", response.get_data(as_text=True))


def test_the_administrator_sees_the_units_figures(as_admin, may):
    response = as_admin.get("/admin/outcomes")
    assert response.status_code == 200
    page = text(response)
    assert '<a href="/admin/outcomes" aria-current="page">Outcomes</a>' in page
    assert "July 2025 to June 2026" in page  # the last twelve months
    # The month's row: delivered 2 of 3, the no-shows apart, the callback in 1 h 30 min.
    may_row = re.search(r'<th scope="row">May 2026</th>(.*?)</tr>', page).group(1)
    cells = re.findall(r"<td>(.*?)</td>", may_row)
    assert cells == ["67% (2 of 3)", "0", "100% (1 of 1)", "50% (1 of 2)", "0% (0 of 1)",
                     "100% (1 of 1)", "0", "1", "1", "1 h 30 min"]  # fmt: skip
    empty_row = re.search(r'<th scope="row">March 2026</th>(.*?)</tr>', page).group(1)
    assert re.findall(r"<td>(.*?)</td>", empty_row)[:2] == ["–", "0"]
    assert "(0 of 5)" not in page  # the other unit's failures


def test_each_chart_is_an_image_with_its_table(as_admin, may):
    page = text(as_admin.get("/admin/outcomes"))
    charts = re.findall(r'<svg [^>]*role="img"[^>]*aria-labelledby="([^"]+)"', page)
    assert len(charts) == 6
    for ids in charts:
        title, desc = ids.split()
        assert f'id="{title}"' in page and f'id="{desc}"' in page
    for table in ("months", "languages", "channels", "kinds"):
        assert f'<table class="figures" id="{table}">' in page
    assert "<script" not in page.split("<main")[1]  # the charts need no script
    assert "style=" not in page  # the Content-Security-Policy allows no inline style


def test_every_rate_is_explained(as_admin):
    page = text(as_admin.get("/admin/outcomes"))
    definitions = page[page.index("How the figures are counted") :]
    for term in ("Delivered", "Confirmed", "No-show", "No-show, confirmed",
                 "No-show, not confirmed", "Attendance not recorded",
                 "Median time to call back"):  # fmt: skip
        assert f"<dt>{term}</dt>" in definitions


def test_a_chosen_range_of_months(as_admin, may):
    page = text(as_admin.get("/admin/outcomes?first=2026-05&last=2026-06"))
    assert "May 2026 to June 2026" in page
    assert page.count('<th scope="row">') >= 2 and "April 2026" not in page.split("<h2")[2]
    assert '<option value="2026-05" selected>' in page


def test_a_backward_range_is_refused_in_swedish(client, administrator, may):
    sign_in(client, administrator, language="sv")
    response = client.get("/admin/outcomes?first=2026-06&last=2026-01")
    assert response.status_code == 200
    page = text(response)
    assert 'href="#field-first"' in page
    assert "Första månaden får inte komma efter den sista." in page
    assert "juli 2025 till juni 2026" in page  # the last twelve months instead


def test_a_month_that_is_not_offered_is_refused(as_admin):
    response = as_admin.get("/admin/outcomes?first=1999-01&last=june")
    assert response.status_code == 200
    assert 'href="#field-first"' in text(response) and 'href="#field-last"' in text(response)


def test_a_manager_sees_it_and_a_case_worker_does_not(session, client, as_caseworker, colleague):
    assert as_caseworker.get("/admin/outcomes").status_code == 403
    assert "/admin/outcomes" not in as_caseworker.get("/admin/").get_data(as_text=True)
    colleague.manager = True
    session.add(colleague)
    session.commit()
    assert access.may_see_unit_outcomes(colleague, colleague.unit_id)
    assert not access.may_see_unit_outcomes(colleague, colleague.unit_id + 1)
    sign_in(client, colleague)
    assert client.get("/admin/outcomes").status_code == 200


def test_a_closed_account_sees_nothing(session, administrator):
    administrator.active = False
    assert not access.may_see_unit_outcomes(administrator, administrator.unit_id)


def test_automatic_replies_are_one_row_of_message_kinds(session, as_admin, sara):
    for number, kind in enumerate(("reply_help", "reply_confirmed", "reply_help")):
        session.add(OutboxMessage(kind=kind, client_id=sara.id, dedupe_key=f"r{number}",
                                  due_at=MAY, sent_at=MAY, status="delivered"))  # fmt: skip
    session.add(OutboxMessage(kind="welcome", client_id=sara.id, dedupe_key="w", due_at=MAY,
                              sent_at=MAY, status="undelivered"))  # fmt: skip
    session.commit()
    page = text(as_admin.get("/admin/outcomes"))
    kinds = page[page.index('id="kinds"') :]
    rows = re.findall(r'<th scope="row">(.*?)</th><td>(.*?)</td>', kinds.replace("> <", "><"))
    assert rows[:2] == [("Automatic reply", "100% (3 of 3)"), ("Welcome", "0% (0 of 1)")]
