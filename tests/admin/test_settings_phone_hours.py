"""Settings: office hours that leave bad news no moment inside the sending window are
saved with a warning (bad news then keeps to phone days, app/outbox/phone_hours.py)."""

from datetime import UTC, datetime

import pytest

from tests.admin.conftest import post, sign_in
from tests.admin.test_settings_handover_notice import FORM

NOW = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
pytestmark = pytest.mark.frozen_at(NOW)

WARNING_EN = "These office hours leave no time for bad news"
WARNING_SV = "De här telefontiderna lämnar ingen tid för tunga besked"


@pytest.mark.parametrize(
    ("hours", "window"),
    [(("07:30", "08:30"), ("08:00", "20:00")), (("13:00", "14:00"), ("08:00", "12:00"))],
)
def test_hours_that_never_meet_the_window_are_saved_with_a_warning(
    client, session, administrator, hours, window
):
    sign_in(client, administrator)
    form = FORM | {"opens": hours[0], "closes": hours[1], "handover_notice_days": "7"}
    form |= {"window_start": window[0], "window_end": window[1]}
    assert post(client, "/admin/settings", form).status_code == 302
    assert WARNING_EN in client.get("/admin/settings").get_data(as_text=True)


def test_the_warning_is_in_the_staff_language(client, session, administrator):
    sign_in(client, administrator, language="sv")
    form = FORM | {"opens": "07:30", "closes": "08:30", "handover_notice_days": "7"}
    form |= {"window_start": "08:00", "window_end": "20:00"}
    assert post(client, "/admin/settings", form).status_code == 302
    assert WARNING_SV in client.get("/admin/settings").get_data(as_text=True)


def test_hours_inside_the_window_give_no_warning(client, session, administrator):
    sign_in(client, administrator)
    form = FORM | {"window_start": "08:00", "window_end": "20:00", "handover_notice_days": "7"}
    assert post(client, "/admin/settings", form).status_code == 302
    assert WARNING_EN not in client.get("/admin/settings").get_data(as_text=True)
