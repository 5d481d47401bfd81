"""The access rule on the recordings pages (same world as test_every_channel): only
administrators; the recordings are the installation's, so every unit's administrator has
them, but the calls that fell back are counted for one's own unit's clients only."""

from pathlib import Path

import pytest
from sqlmodel import select

from app.models import CallStep, StaffRole, StaffUser
from tests.access.test_every_channel import NOW, World
from tests.admin.conftest import PASSWORD, post, sign_in
from tests.espeak import tone
from tests.factories import create_staff, password_hash_of

pytestmark = pytest.mark.frozen_at(NOW)

PAGES = ["/admin/recordings", "/admin/recordings/so", "/admin/recordings/so/script",
         "/admin/recordings/so/script.csv"]  # fmt: skip
ADMINS = [("eva", True), ("vera", True), ("lina", False), ("omar", False), ("cover", False),
          ("pia", False)]  # fmt: skip


@pytest.fixture
def world(session) -> World:
    world = World(session)
    world.vera = create_staff(
        session,
        world.other_unit,
        email="vera@vastby.example",
        name="Vera Admin",
        role=StaffRole.ADMIN,
        password_hash=password_hash_of(PASSWORD),
    )
    return world


@pytest.fixture
def recorded(app) -> Path:
    folder = Path(app.config["RECORDINGS_DIR"]) / "so"
    folder.mkdir(parents=True)
    (folder / "number-1.wav").write_bytes(tone(1.0, level=0.25))
    return folder / "number-1.wav"


@pytest.mark.parametrize(("who", "allowed"), ADMINS)
def test_only_administrators_see_the_recordings_pages(client, world, who, allowed):
    sign_in(client, getattr(world, who))
    for page in PAGES:
        assert client.get(page).status_code == (200 if allowed else 403), page


@pytest.mark.parametrize(("who", "allowed"), ADMINS)
def test_only_administrators_delete_a_recording(client, world, recorded, who, allowed):
    sign_in(client, getattr(world, who))
    response = post(client, "/admin/recordings/so/delete", {"name": "number-1", "confirm": "yes"})
    assert response.status_code == (303 if allowed else 403)
    assert recorded.exists() is not allowed


@pytest.mark.parametrize(("who", "counted"), [("eva", True), ("vera", False)])
def test_fallbacks_are_counted_only_for_ones_own_units_clients(
    client, session, world, who, counted
):
    session.add(CallStep(call_sid="CA1", step=1, client_id=world.sara.id, screen="incoming",
                         twiml="<Response/>", created_at=NOW, language="so", voice="fallback",
                         missing=2))  # fmt: skip
    session.commit()
    sign_in(client, getattr(world, who))
    html = client.get("/admin/recordings").get_data(as_text=True)
    assert ("No call fell back" in html) is not counted
    assert "Sara" not in html.split('id="fallbacks"')[1]


def test_a_closed_administrator_account_sees_nothing(client, session, world):
    sign_in(client, world.eva)
    eva = session.exec(select(StaffUser).where(StaffUser.id == world.eva.id)).one()
    eva.active = False
    session.add(eva)
    session.commit()
    assert client.get("/admin/recordings").status_code == 302  # signed out


@pytest.mark.parametrize(("who", "allowed"), [("eva", True), ("vera", False)])
def test_a_unit_s_name_is_recorded_and_deleted_only_by_its_own_administrators(
    app, client, session, world, who, allowed
):
    from app.models import Unit
    from app.voice import names
    from tests.admin.test_recordings_uploads import upload

    name = names.unit(session.get(Unit, world.sara.unit_id).sender_name)
    sign_in(client, getattr(world, who))
    upload(client, "so", name, tone(1.0, level=0.25))
    folder = Path(app.config["RECORDINGS_DIR"]) / "so"
    assert (folder / f"{name}.wav").exists() is allowed
    if not allowed:  # recorded by its own unit, still not another's to delete
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"{name}.wav").write_bytes(tone(1.0, level=0.25))
        response = post(client, "/admin/recordings/so/delete", {"name": name, "confirm": "yes"})
        assert response.status_code == 403 and (folder / f"{name}.wav").exists()
