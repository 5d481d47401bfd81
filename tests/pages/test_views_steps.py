"""The overview's step line: each open application's steps in order, the current one
marked in words and with aria-current="step", in the page's language."""

import re
from datetime import UTC, date, datetime

import pytest

from app.casework import applications
from app.models import LinkPurpose
from app.pages import links
from tests.factories import create_client, create_staff, create_unit

NOW = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
pytestmark = pytest.mark.frozen_at(NOW)


@pytest.fixture
def sara(session):
    unit = create_unit(session, phone_menu_number="+46846500401")
    lina = create_staff(session, unit, name="Lina Berg", phone="+46701740605")
    return create_client(session, lina)


def overview(session, client) -> str:
    token = links.create(session, client, LinkPurpose.OVERVIEW, NOW)
    session.commit()
    return token


def steps_of(html: str) -> list[str]:
    """Each step's words, without tags and spaces."""
    line = html.split('<ol class="steps"', 1)[1].split("</ol>", 1)[0]
    items = re.findall(r"<li[^>]*>(.*?)</li>", line, re.S)
    return [" ".join(re.sub(r"<[^>]+>", " ", item).split()) for item in items]


def test_the_overview_shows_the_steps_with_the_current_one_marked(client, session, sara):
    application = applications.receive(
        session, sara, service="boendestod", received_on=date(2026, 2, 27),
        decision_expected_on=date(2026, 4, 15), now=NOW,
    )  # fmt: skip
    applications.move(session, sara, application, "comment", answer_by=date(2026, 3, 16), now=NOW)
    html = client.get(f"/p/{overview(session, sara)}").data.decode()
    assert "Ansökan om boendestöd" in html
    assert steps_of(html) == [
        "✓ Klart Vi fick din ansökan fredag 27 februari.",
        "✓ Klart Vi tar reda på vad du behöver.",
        "● Nu Du får säga vad du tycker. Svara senast måndag 16 mars.",
        "○ Sedan Du får ett beslut runt onsdag 15 april.",
        "○ Sedan Stödet börjar.",
    ]
    assert html.count('aria-current="step"') == 1
    assert re.search(r'<li class="step step-current" aria-current="step">', html)


def test_the_step_line_speaks_the_pages_language(client, session, sara):
    applications.receive(
        session, sara, service="boendestod", received_on=date(2026, 2, 27), now=NOW
    )
    html = client.get(f"/p/{overview(session, sara)}?lang=ar").data.decode()
    assert 'dir="rtl"' in html
    assert "طلباتك" in html
    assert steps_of(html)[0].startswith("● الآن")


def test_no_step_line_without_an_open_application(client, session, sara):
    application = applications.receive(
        session, sara, service="boendestod", received_on=date(2026, 2, 27), now=NOW
    )
    applications.move(session, sara, application, "withdrawn", now=NOW)
    html = client.get(f"/p/{overview(session, sara)}").data.decode()
    assert 'class="steps"' not in html
    assert "Dina ansökningar" not in html
