"""The access rule itself (app/access.py), case by case and fast: what every channel asks.

tests/test_access_matrix.py walks the channels end to end; these tests pin each condition
of the rule so that weakening any one of them fails a test (make mutation checks that).
"""

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlmodel import select

from app import access
from app.access import Channel, Role, Topic, Verdict
from app.casework import handovers
from app.models import Client, Handover, InboundMessage, Representative, StaffRole
from tests.factories import create_client, create_staff, create_unit

NOW = datetime(2026, 3, 3, 9, 0, tzinfo=UTC)
TODAY = date(2026, 3, 3)
PERMISSIONS = {
    Topic.APPOINTMENTS: "copy_appointments",
    Topic.DOCUMENTS: "copy_documents",
    Topic.DECISIONS: "copy_decisions",
    Topic.HANDOVERS: "copy_handovers",
}
OPEN_TO_ANYONE_KNOWN = (Topic.CALLBACK, Topic.LANGUAGE, Topic.CONTACT, Topic.COMPLAINTS)


def client(**values) -> Client:
    return Client(id=1, unit_id=1, first_name="Sara", phone="+46700000001", **values)


def representative(**values) -> Representative:
    return Representative(id=7, client_id=1, name="Anna Holm", phone="+46700000010",
                          language="en", **values)  # fmt: skip


# decide(): who may have what, where ---------------------------------------------------------


def test_nobody_known_gets_nothing(app):
    for topic in Topic:
        for channel in Channel:
            assert access.decide(None, topic, channel, pin_given=True) == Verdict.DENY


@pytest.mark.parametrize("topic", list(Topic))
def test_the_client_gets_everything_by_sms_when_not_discreet(app, topic):
    assert access.decide(Role(client(privacy="full")), topic, Channel.SMS) == Verdict.ALLOW


@pytest.mark.parametrize("topic", list(PERMISSIONS))
def test_a_representative_gets_a_record_only_with_its_permission(app, topic):
    allowed = Role(client(), representative(**{PERMISSIONS[topic]: True}))
    others = {p: True for t, p in PERMISSIONS.items() if t != topic}
    refused = Role(client(), representative(**others))
    for channel in Channel:
        assert access.decide(allowed, topic, channel) == Verdict.ALLOW
        assert access.decide(refused, topic, channel, pin_given=True) == Verdict.DENY


@pytest.mark.parametrize("topic", OPEN_TO_ANYONE_KNOWN)
def test_a_representative_without_permissions_may_still_ask_for_help(app, topic):
    role = Role(client(), representative())
    assert access.decide(role, topic, Channel.SMS) == Verdict.ALLOW
    assert access.decide(role, Topic.MESSAGES, Channel.PAGE) == Verdict.ALLOW


@pytest.mark.parametrize(
    "change", [{"removed_at": NOW}, {"opted_out_at": NOW}, {"removed_at": NOW, "opted_out_at": NOW}]
)
def test_a_removed_or_opted_out_representative_gets_nothing(app, change):
    everything = dict.fromkeys(PERMISSIONS.values(), True)
    role = Role(client(), representative(**everything, **change))
    assert not access.is_active(role.representative)
    for topic in Topic:
        for channel in Channel:
            assert access.decide(role, topic, channel, pin_given=True) == Verdict.DENY
    assert access.menu(role) == []


def test_an_active_representative_is_active(app):
    assert access.is_active(representative())


@pytest.mark.parametrize("topic", sorted(access.DETAILS))
def test_a_discreet_clients_details_never_go_by_sms_and_wait_for_the_pin(app, topic):
    role = Role(client(privacy="discreet", pin_hash="x"))
    assert access.decide(role, topic, Channel.SMS) == Verdict.DISCREET
    assert access.decide(role, topic, Channel.SMS, pin_given=True) == Verdict.DISCREET
    for channel in (Channel.PHONE, Channel.PAGE):
        assert access.decide(role, topic, channel) == Verdict.PIN
        assert access.decide(role, topic, channel, pin_given=True) == Verdict.ALLOW


def test_a_discreet_clients_representative_is_bound_by_the_same_discretion(app):
    role = Role(client(privacy="discreet"), representative(copy_appointments=True))
    assert access.decide(role, Topic.APPOINTMENTS, Channel.SMS) == Verdict.DISCREET
    assert access.decide(role, Topic.APPOINTMENTS, Channel.PHONE) == Verdict.PIN


@pytest.mark.parametrize("topic", OPEN_TO_ANYONE_KNOWN)
def test_discretion_does_not_hide_how_to_get_help(app, topic):
    role = Role(client(privacy="discreet", pin_hash="x"))
    for channel in Channel:
        assert access.decide(role, topic, channel) == Verdict.ALLOW


def test_a_discreet_client_hears_of_support_only_after_the_pin(app):
    """Someone else may read a discreet client's phone: no list of support (violence support
    first in it) by SMS, and by phone or on the page only after the PIN."""
    role = Role(client(privacy="discreet", pin_hash="x"))
    assert access.decide(role, Topic.SUPPORT, Channel.SMS) == Verdict.DISCREET
    assert access.decide(role, Topic.SUPPORT, Channel.SMS, pin_given=True) == Verdict.DISCREET
    for channel in (Channel.PHONE, Channel.PAGE):
        assert access.decide(role, Topic.SUPPORT, channel) == Verdict.PIN
        assert access.decide(role, Topic.SUPPORT, channel, pin_given=True) == Verdict.ALLOW
    for channel in Channel:  # without discretion: on every channel, no PIN
        assert access.decide(Role(client()), Topic.SUPPORT, channel) == Verdict.ALLOW


def test_by_phone_documents_and_decisions_need_the_pin_whenever_the_client_has_one(app):
    role = Role(client(privacy="full", pin_hash="x"))
    for topic in (Topic.DOCUMENTS, Topic.DECISIONS):
        assert access.decide(role, topic, Channel.PHONE) == Verdict.PIN
        assert access.decide(role, topic, Channel.PHONE, pin_given=True) == Verdict.ALLOW
        # The answer to a text goes to the client's own phone: no PIN there.
        assert access.decide(role, topic, Channel.SMS) == Verdict.ALLOW
        assert access.decide(role, topic, Channel.PAGE) == Verdict.ALLOW
    assert access.decide(role, Topic.APPOINTMENTS, Channel.PHONE) == Verdict.ALLOW


def test_without_a_pin_a_caller_hears_documents_and_decisions_unless_the_unit_asks(app):
    role = Role(client(privacy="full"))
    assert not access.pin_asked(role.client)
    assert access.decide(role, Topic.DECISIONS, Channel.PHONE) == Verdict.ALLOW
    app.config["VOICE_PIN_REQUIRED"] = True
    assert access.pin_asked(role.client)
    assert access.decide(role, Topic.DECISIONS, Channel.PHONE) == Verdict.PIN
    assert access.decide(role, Topic.DOCUMENTS, Channel.PHONE) == Verdict.PIN
    assert access.decide(role, Topic.CONTACT, Channel.PHONE) == Verdict.ALLOW


def test_the_menu_lists_what_the_asker_may_use(app):
    limited = Role(client(), representative(copy_appointments=True))
    assert access.menu(limited) == [1, 4, 5, 6, 7, 8, 9]
    assert access.menu(Role(client())) == [1, 2, 3, 4, 5, 6, 7, 8, 9]
    assert access.menu(Role(client(privacy="discreet"))) == [1, 2, 3, 4, 5, 6, 7, 8, 9]
    assert access.menu(None) == []


def test_a_copy_goes_only_to_an_active_representative_allowed_its_kind(app):
    anna = representative(copy_decisions=True)
    assert access.may_receive_copy(anna, "decisions")
    assert not access.may_receive_copy(anna, "appointments")
    assert access.may_receive_copy(anna, None)  # written to her (an answer to her text)
    anna.removed_at = NOW
    assert not access.may_receive_copy(anna, None)
    assert not access.may_receive_copy(anna, "decisions")


def test_each_kind_is_about_its_record(app):
    assert access.topic_of_kind("appointment_reminder") == Topic.APPOINTMENTS
    assert access.topic_of_kind("checklist_request") == Topic.DOCUMENTS
    assert access.topic_of_kind("decision_refused") == Topic.DECISIONS
    assert access.topic_of_kind("handover_absence") == Topic.HANDOVERS
    assert access.topic_of_kind("staff_message") == Topic.MESSAGES
    assert access.topic_of_kind("welcome") == Topic.MESSAGES


def test_a_role_is_named_by_whose_phone_it_is(app):
    own = Role(client(language="fi"))
    assert (own.key, own.language, own.name) == ("c1", "fi", "Sara")
    theirs = Role(client(language="fi"), representative())
    assert (theirs.key, theirs.language, theirs.name) == ("r7", "en", "Sara")


# page_topics(): what an overview page shows its reader ----------------------------------------


def test_the_client_s_overview_shows_every_record(app):
    assert access.page_topics(Role(client())) == set(access.OVERVIEW_TOPICS)


@pytest.mark.parametrize("topic", list(PERMISSIONS))
def test_a_representative_s_overview_shows_only_what_they_are_allowed(app, topic):
    reader = Role(client(), representative(**{PERMISSIONS[topic]: True}))
    assert access.page_topics(reader, pin_given=True) == {topic}


def test_a_removed_or_opted_out_representative_s_overview_shows_nothing(app):
    every = dict.fromkeys(PERMISSIONS.values(), True)
    removed = representative(removed_at=NOW, **every)
    opted_out = representative(opted_out_at=NOW, **every)
    for gone in (removed, opted_out):
        assert access.page_topics(Role(client(), gone), pin_given=True) == set()


def test_a_discreet_client_s_overview_shows_nothing_before_the_pin(app):
    every = dict.fromkeys(PERMISSIONS.values(), True)
    for reader in (
        Role(client(privacy="discreet")),
        Role(client(privacy="discreet"), representative(**every)),
    ):
        assert access.page_topics(reader) == set()
        assert access.page_topics(reader, pin_given=True) == set(access.OVERVIEW_TOPICS)


# roles(): who a number is, in the unit reached -------------------------------------------


@pytest.fixture
def units(session):
    ekby = create_unit(session, phone="+46846500400", phone_menu_number="+46846500401")
    vastby = create_unit(session, name="Västby", sender_name="Västby", phone="+46855500500",
                         phone_menu_number="+46855500501")  # fmt: skip
    return ekby, vastby


def test_a_number_is_known_in_the_unit_whose_number_it_reached(session, units):
    ekby, vastby = units
    sara = create_client(session, create_staff(session, ekby), phone="+46700000001")
    sanna = create_client(session, create_staff(session, vastby, email="p@v.example"),
                          phone="+46700000001", first_name="Sanna")  # fmt: skip
    assert [r.client.id for r in access.roles(session, sara.phone, "+46846500400")] == [sara.id]
    assert [r.client.id for r in access.roles(session, sara.phone, "+46846500401")] == [sara.id]
    assert [r.client.id for r in access.roles(session, sara.phone, "+46855500500")] == [sanna.id]
    # A number no unit has (one shared sender): every unit.
    assert len(access.roles(session, sara.phone, "+46811111111")) == 2
    assert len(access.roles(session, sara.phone, "")) == 2
    assert access.roles(session, "", "+46846500400") == []
    assert access.units_reached(session, "+46855500501") == [vastby.id]


def test_representatives_are_found_while_active_and_opted_out_ones_only_for_start(session, units):
    ekby, vastby = units
    staff = create_staff(session, ekby)
    sara = create_client(session, staff, phone="+46700000001")
    maja = create_client(session, staff, phone="+46700000003", first_name="Maja")
    other = create_client(session, create_staff(session, vastby, email="p@v.example"),
                          phone="+46700000004", first_name="Olga")  # fmt: skip
    phone = "+46700000010"
    active = [Representative(client_id=c.id, name="Gunnel", phone=phone) for c in (maja, sara)]
    opted_out = Representative(client_id=sara.id, name="Gunnel", phone=phone, opted_out_at=NOW)
    removed = Representative(client_id=sara.id, name="Gunnel", phone=phone, opted_out_at=NOW,
                             removed_at=NOW)  # fmt: skip
    elsewhere = Representative(client_id=other.id, name="Gunnel", phone=phone)
    someone_else = Representative(client_id=sara.id, name="Anna", phone="+46700000011")
    session.add_all([*active, opted_out, removed, elsewhere, someone_else])
    session.commit()
    found = access.roles(session, phone, "+46846500400")
    assert [r.representative.id for r in found] == [a.id for a in active]  # in order of id
    assert [r.client.id for r in found] == [maja.id, sara.id]
    starting = access.roles(session, phone, "+46846500400", opted_out=True)
    assert [r.representative.id for r in starting] == [opted_out.id]
    assert access.role_by_key(found, f"r{active[1].id}") is found[1]
    assert access.role_by_key(found, f"r{removed.id}") is None
    assert access.role_by_key(found, None) is None
    assert [r.representative.id for r in access.roles(session, "+46700000011", "")] == [
        someone_else.id
    ]
    assert access.role_by_key(found, f"c{sara.id}") is None


def test_a_client_comes_before_the_same_numbers_representative_roles(session, units):
    ekby, _ = units
    staff = create_staff(session, ekby)
    maja = create_client(session, staff, phone="+46700000003", first_name="Maja")
    sara = create_client(session, staff, phone="+46700000001")
    session.add(Representative(client_id=maja.id, name="Sara Lind", phone=sara.phone))
    session.commit()
    found = access.roles(session, sara.phone, "+46846500400")
    assert [(r.client.id, r.representative is None) for r in found] == [
        (sara.id, True),
        (maja.id, False),
    ]


# Staff -----------------------------------------------------------------------------------


@pytest.fixture
def team(session, units):
    ekby, vastby = units
    lina = create_staff(session, ekby, email="lina@e.example", name="Lina")
    omar = create_staff(session, ekby, email="omar@e.example", name="Omar")
    ulla = create_staff(session, ekby, email="ulla@e.example", name="Ulla")
    eva = create_staff(session, ekby, email="eva@e.example", name="Eva", role=StaffRole.ADMIN)
    pia = create_staff(session, vastby, email="pia@v.example", name="Pia", role=StaffRole.ADMIN)
    sara = create_client(session, lina)
    return lina, omar, ulla, eva, pia, sara


def visible(session, staff, today=TODAY) -> set[int]:
    return set(session.exec(select(Client.id).where(access.staff_clients(staff, today))))


def add_handover(session, client, to, *, kind="permanent", starts_on, ends_on=None,
                 from_staff=None, cancelled=False) -> Handover:  # fmt: skip
    handover = Handover(client_id=client.id, to_staff_id=to.id, kind=kind, starts_on=starts_on,
                        ends_on=ends_on, from_staff_id=from_staff.id if from_staff else None,
                        cancelled_at=NOW if cancelled else None)  # fmt: skip
    session.add(handover)
    session.commit()
    return handover


def test_the_case_worker_and_the_units_administrators_see_a_client(session, team):
    lina, omar, ulla, eva, pia, sara = team
    assert visible(session, lina) == {sara.id}
    assert visible(session, eva) == {sara.id}
    assert visible(session, omar) == visible(session, ulla) == set()
    assert visible(session, pia) == set()  # an administrator of another unit
    omars = create_client(session, omar, phone="+46700000005", first_name="Omid")
    assert visible(session, lina) == {sara.id} and visible(session, omar) == {omars.id}
    assert visible(session, eva) == {sara.id, omars.id}


def test_a_closed_account_sees_nobody(session, team):
    lina, _, _, eva, _, sara = team
    lina.active = eva.active = False
    assert visible(session, lina) == visible(session, eva) == set()
    assert not access.staff_may_see_unknown(eva, eva.unit_id)


def test_handing_back_ends_the_former_case_workers_access(session, team):
    lina, omar, _, _, _, sara = team
    handovers.hand_over(session, sara, omar, starts_on=TODAY - timedelta(days=20),
                        from_staff=lina, now=NOW - timedelta(days=20))  # fmt: skip
    assert visible(session, omar) == {sara.id} and visible(session, lina) == set()
    handovers.hand_over(session, sara, lina, starts_on=TODAY - timedelta(days=10),
                        from_staff=omar, now=NOW - timedelta(days=10))  # fmt: skip
    session.commit()
    assert visible(session, lina) == {sara.id} and visible(session, omar) == set()


def test_a_permanent_handover_counts_from_its_first_day(session, team):
    lina, omar, _, _, _, sara = team
    add_handover(session, sara, omar, starts_on=TODAY + timedelta(days=1))
    assert visible(session, omar) == set() and visible(session, lina) == {sara.id}
    # On its first day, before the worker has moved the client, it already counts.
    tomorrow = TODAY + timedelta(days=1)
    assert visible(session, omar, tomorrow) == {sara.id}
    assert visible(session, lina, tomorrow) == set()


def test_a_permanent_handover_of_one_client_gives_nothing_of_another(session, team):
    lina, omar, ulla, _, _, sara = team
    maja = create_client(session, lina, phone="+46700000003", first_name="Maja")
    add_handover(session, maja, omar, starts_on=TODAY - timedelta(days=1))
    assert visible(session, omar) == {maja.id}
    assert visible(session, lina) == {sara.id}


def test_a_permanent_handover_is_never_cover_whatever_its_dates(session, team):
    lina, _, ulla, _, _, sara = team
    # Imported with an end date by mistake, and handed back since: no cover.
    add_handover(session, sara, ulla, starts_on=TODAY - timedelta(days=9),
                 ends_on=TODAY + timedelta(days=9), from_staff=lina)  # fmt: skip
    add_handover(session, sara, lina, starts_on=TODAY - timedelta(days=5), from_staff=ulla)
    assert visible(session, ulla) == set() and visible(session, lina) == {sara.id}


def test_a_cancelled_permanent_handover_gives_nothing(session, team):
    lina, omar, _, _, _, sara = team
    add_handover(session, sara, omar, starts_on=TODAY - timedelta(days=1), cancelled=True)
    assert visible(session, omar) == set() and visible(session, lina) == {sara.id}


def test_the_latest_permanent_handover_decides_by_day_then_by_order(session, team):
    lina, omar, ulla, _, _, sara = team
    add_handover(session, sara, ulla, starts_on=TODAY - timedelta(days=2))
    add_handover(session, sara, omar, starts_on=TODAY - timedelta(days=5))  # older, made later
    assert visible(session, ulla) == {sara.id} and visible(session, omar) == set()
    add_handover(session, sara, omar, starts_on=TODAY - timedelta(days=2))  # same day, later
    assert visible(session, omar) == {sara.id} and visible(session, ulla) == set()


def test_a_stand_in_sees_the_client_only_while_the_absence_is_on(session, team):
    lina, omar, ulla, _, _, sara = team
    add_handover(session, sara, ulla, kind="absence", starts_on=TODAY,
                 ends_on=TODAY + timedelta(days=2), from_staff=lina)  # fmt: skip
    assert visible(session, ulla) == {sara.id} and visible(session, lina) == {sara.id}
    assert visible(session, ulla, TODAY - timedelta(days=1)) == set()
    assert visible(session, ulla, TODAY + timedelta(days=2)) == {sara.id}
    assert visible(session, ulla, TODAY + timedelta(days=3)) == set()
    assert visible(session, omar) == set()


def test_a_cancelled_absence_gives_nothing(session, team):
    lina, _, ulla, _, _, sara = team
    add_handover(session, sara, ulla, kind="absence", starts_on=TODAY, ends_on=TODAY,
                 from_staff=lina, cancelled=True)  # fmt: skip
    assert visible(session, ulla) == set()


def test_cover_for_a_former_case_worker_gives_nothing(session, team):
    lina, omar, ulla, _, _, sara = team
    add_handover(session, sara, ulla, kind="absence", starts_on=TODAY, ends_on=TODAY,
                 from_staff=omar)  # fmt: skip
    assert visible(session, ulla) == set()
    add_handover(session, sara, ulla, kind="absence", starts_on=TODAY, ends_on=TODAY)
    assert visible(session, ulla) == {sara.id}  # cover with no one named covers the client


def test_cover_for_one_client_gives_nothing_of_another(session, team):
    lina, _, ulla, _, _, sara = team
    maja = create_client(session, lina, phone="+46700000003", first_name="Maja")
    add_handover(session, maja, ulla, kind="absence", starts_on=TODAY, ends_on=TODAY,
                 from_staff=lina)  # fmt: skip
    assert visible(session, ulla) == {maja.id}
    assert visible(session, lina) == {sara.id, maja.id}


def test_cover_in_another_unit_gives_nothing(session, team):
    lina, _, _, _, pia, sara = team
    pia.role = StaffRole.CASEWORKER
    add_handover(session, sara, pia, kind="absence", starts_on=TODAY, ends_on=TODAY,
                 from_staff=lina)  # fmt: skip
    assert visible(session, pia) == set()


def test_texts_from_unknown_numbers_are_for_the_unit_they_reached(session, team):
    lina, _, _, _, pia, _ = team
    assert access.staff_may_see_unknown(lina, lina.unit_id)
    assert not access.staff_may_see_unknown(lina, pia.unit_id)
    assert not access.staff_may_see_unknown(lina, None)


def test_a_number_reaches_one_unit_or_leaves_the_choice_to_the_senders_role(session, units):
    ekby, vastby = units
    assert access.unit_reached(session, "+46855500501") == vastby.id
    assert access.unit_reached(session, "+46811111111") is None  # no unit's: every unit


def test_unknown_rows_are_listed_for_the_unit_they_reached(session, team):
    lina, _, _, _, pia, _ = team
    texts = [
        InboundMessage(provider_id=f"SM{n}", from_phone="+46709999999", unit_id=unit_id)
        for n, unit_id in enumerate((lina.unit_id, pia.unit_id, None))
    ]
    session.add_all(texts)
    session.commit()

    def rows(staff) -> list[int]:
        condition = access.staff_unit_rows(staff, InboundMessage.unit_id)
        return session.exec(select(InboundMessage.id).where(condition)).all()

    assert rows(lina) == [texts[0].id] and rows(pia) == [texts[1].id]
    lina.active = False  # a closed account sees none of them
    assert rows(lina) == []


def test_a_key_sees_its_own_units_clients(session, team):
    *_, pia, sara = team
    own = session.exec(select(Client.id).where(access.key_clients(sara.unit_id))).all()
    other = session.exec(select(Client.id).where(access.key_clients(pia.unit_id))).all()
    assert own == [sara.id] and other == []


def test_the_rule_holds_inside_a_query_that_reads_handovers_itself(session, team):
    lina, omar, ulla, _, _, sara = team
    add_handover(session, sara, ulla, kind="absence", starts_on=TODAY, ends_on=TODAY,
                 from_staff=lina)  # fmt: skip
    for staff, expected in ((ulla, 1), (omar, 0)):
        rows = session.exec(
            select(Handover, Client)
            .join(Client, Client.id == Handover.client_id)
            .where(access.staff_clients(staff, TODAY))
        ).all()
        assert len(rows) == expected


# Complaints and requests for another case worker: the managers' alone ------------------------


def test_anyone_known_may_ask_for_another_case_worker_and_complain(app):
    # A representative with no permissions may ask on the client's behalf: the request
    # reveals nothing about the client's records, and the managers decide.
    bare = Role(client(), representative())
    for topic in (Topic.NEW_CASEWORKER, Topic.COMPLAINTS):
        assert access.decide(bare, topic, Channel.SMS) == Verdict.ALLOW
        assert access.decide(Role(client(privacy="discreet")), topic, Channel.SMS) == Verdict.ALLOW
        removed = Role(client(), representative(removed_at=NOW))
        assert access.decide(removed, topic, Channel.SMS) == Verdict.DENY
    assert access.MENU[8] == Topic.NEW_CASEWORKER and 8 in access.menu(bare)


def test_managers_are_active_administrators_and_named_staff(session, team):
    lina, omar, _, eva, _, _ = team
    assert access.is_manager(eva) and not access.is_manager(lina)
    omar.manager = True
    assert access.is_manager(omar)
    omar.active = eva.active = False
    assert not access.is_manager(omar) and not access.is_manager(eva)


def inbound_seen(session, staff, today=TODAY) -> set[int]:
    return set(
        session.exec(
            select(InboundMessage.id)
            .outerjoin(Client, Client.id == InboundMessage.client_id)
            .where(access.staff_inbound_rows(staff, today))
        )
    )


def test_texts_for_the_managers_reach_the_units_managers_and_nobody_else(session, team):
    lina, omar, ulla, eva, pia, sara = team
    omar.manager = True  # a named manager who is not Sara's case worker
    add_handover(session, sara, ulla, kind="absence", starts_on=TODAY, ends_on=TODAY,
                 from_staff=lina)  # fmt: skip
    ordinary, complaint = (
        InboundMessage(
            provider_id=f"SM{n}",
            from_phone=sara.phone,
            client_id=sara.id,
            unit_id=sara.unit_id,
            for_managers=n == 1,
        )
        for n in range(2)
    )
    stranger = InboundMessage(provider_id="SMx", from_phone="+46700000099",
                              unit_id=sara.unit_id)  # fmt: skip
    session.add_all([ordinary, complaint, stranger])
    session.commit()
    # An unknown number's text is for everyone of the unit it reached.
    assert inbound_seen(session, lina) == inbound_seen(session, ulla) == {ordinary.id, stranger.id}
    assert inbound_seen(session, eva) == {ordinary.id, complaint.id, stranger.id}
    assert inbound_seen(session, omar) == {complaint.id, stranger.id}  # a manager, not hers
    assert inbound_seen(session, pia) == set()  # a manager of another unit
    for staff, may in ((lina, False), (ulla, False), (eva, True), (omar, True), (pia, False)):
        assert access.staff_may_see_inbound(session, staff, complaint, TODAY) == may
    assert access.staff_may_see_inbound(session, lina, ordinary, TODAY)
    assert not access.staff_may_see_inbound(session, omar, ordinary, TODAY)
    eva.active = False
    assert inbound_seen(session, eva) == set()


def test_on_a_client_page_and_in_the_api_the_managers_texts_stay_hidden(session, team):
    from app.casework import staff_messages
    from app.models import OutboxMessage

    lina, _, _, eva, pia, sara = team
    maja = create_client(session, pia, first_name="Maja", phone="+46700000088")  # Västby's
    complaint, ordinary, elsewhere = (
        InboundMessage(
            provider_id=f"SMc{n}",
            from_phone=c.phone,
            client_id=c.id,
            unit_id=c.unit_id,
            for_managers=n == 0,
        )  # fmt: skip
        for n, c in enumerate((sara, sara, maja))
    )
    session.add_all([complaint, ordinary, elsewhere])
    session.commit()
    answer = staff_messages.send(session, sara, text="Jag ringer dig.", author=eva,
                                 in_reply_to=complaint)  # fmt: skip
    hello = staff_messages.send(session, sara, text="Hej Sara!", author=lina)
    hello_maja = staff_messages.send(session, maja, text="Hej Maja!", author=pia)
    session.commit()
    sent = {m.subject_id: m.id for m in session.exec(select(OutboxMessage))}
    answer_id, hello_id, maja_id = sent[answer.id], sent[hello.id], sent[hello_maja.id]
    # A message about something else whose id is the answer's: not an answer.
    reminder = OutboxMessage(kind="appointment_reminder", client_id=sara.id,
                             subject_type="appointment", subject_id=answer.id,
                             dedupe_key="appointment:x", due_at=NOW)  # fmt: skip
    session.add(reminder)
    session.commit()
    ours = [InboundMessage.client_id == sara.id]

    def texts(condition) -> set[int]:
        return set(session.exec(select(InboundMessage.id).where(condition, *ours)))

    def messages(condition) -> set[int]:
        query = select(OutboxMessage.id).where(condition, OutboxMessage.client_id == sara.id)
        return set(session.exec(query))

    inbound_for, outbox_for = access.staff_client_inbound, access.staff_client_outbox
    assert texts(inbound_for(lina, TODAY)) == texts(inbound_for(None, TODAY)) == {ordinary.id}
    assert texts(inbound_for(eva, TODAY)) == {complaint.id, ordinary.id}
    assert messages(outbox_for(lina, TODAY)) == {hello_id, reminder.id}
    assert messages(outbox_for(None, TODAY)) == {hello_id, reminder.id}
    assert messages(outbox_for(eva, TODAY)) == {answer_id, hello_id, reminder.id}
    lina.manager = True  # a manager, but Sara's own case worker: Eva reads it
    # (whoever else's client is handed over today: Sara's own handovers decide)
    other = create_client(session, lina, first_name="Maja", phone="+46700000066")
    add_handover(session, other, team[2], starts_on=TODAY, from_staff=lina)
    assert texts(inbound_for(lina, TODAY)) == {ordinary.id}
    assert messages(outbox_for(lina, TODAY)) == {hello_id, reminder.id}
    eva.active = False  # no other manager: Lina reads it rather than nobody
    session.commit()
    assert texts(inbound_for(lina, TODAY)) == {complaint.id, ordinary.id}
    assert messages(outbox_for(lina, TODAY)) == {answer_id, hello_id, reminder.id}
    joined_inbound = select(InboundMessage.id).join(Client, Client.id == InboundMessage.client_id)
    joined_outbox = select(OutboxMessage.id).join(Client, Client.id == OutboxMessage.client_id)
    for unit_id, inbound, outbox in (
        (sara.unit_id, {ordinary.id}, {hello_id, reminder.id}),
        (maja.unit_id, {elsewhere.id}, {maja_id}),
    ):
        key_texts = joined_inbound.where(access.key_inbound_rows(unit_id))
        key_messages = joined_outbox.where(access.key_outbox_rows(unit_id))
        assert set(session.exec(key_texts)) == inbound
        assert set(session.exec(key_messages)) == outbox


def test_a_manager_who_is_the_clients_case_worker_leaves_it_to_another_manager(session, team):
    """A complaint may be about the case worker: a manager who is the client's current
    case worker does not read it while the unit has another manager; with none, they do
    (a text is never left for nobody)."""
    lina, omar, ulla, eva, _, sara = team
    lina.manager = True
    other = create_client(session, omar, first_name="Maja", phone="+46700000077")
    complaints = [
        InboundMessage(
            provider_id=f"SMm{n}",
            from_phone=c.phone,
            client_id=c.id,
            unit_id=c.unit_id,
            for_managers=True,
        )  # fmt: skip
        for n, c in enumerate((sara, other))
    ]
    stranger = InboundMessage(provider_id="SMs", from_phone="+46700000099",
                              unit_id=sara.unit_id, for_managers=True)  # fmt: skip
    session.add_all([*complaints, stranger])
    session.commit()
    about_sara, about_maja = complaints
    assert inbound_seen(session, lina) == {about_maja.id, stranger.id}
    assert inbound_seen(session, eva) == {about_sara.id, about_maja.id, stranger.id}
    assert not access.staff_may_see_inbound(session, lina, about_sara, TODAY)
    handovers.hand_over(session, sara, ulla, starts_on=TODAY, from_staff=lina, now=NOW)
    session.commit()  # Sara is Ulla's now: Lina, a manager, reads complaints about Sara
    assert inbound_seen(session, lina) == {about_sara.id, about_maja.id, stranger.id}
    handovers.hand_over(session, sara, lina, starts_on=TODAY, from_staff=ulla, now=NOW)
    eva.active = False
    session.commit()  # back to Lina, and no other manager: Lina reads it
    assert inbound_seen(session, lina) == {about_sara.id, about_maja.id, stranger.id}
    omar.manager = True
    session.commit()  # Omar is a manager now: he reads it, Lina does not
    assert inbound_seen(session, lina) == {about_maja.id, stranger.id}
    assert about_sara.id in inbound_seen(session, omar)


def test_violence_support_is_named_to_the_client_only(app):
    """A representative may be the one who does harm: never to them, even with every
    permission; nor to a stranger."""
    assert access.shows_violence_support(Role(client()))
    assert access.shows_violence_support(Role(client(privacy="discreet")))
    everything = representative(
        copy_appointments=True, copy_documents=True, copy_decisions=True, copy_handovers=True
    )
    assert not access.shows_violence_support(Role(client(), everything))
    assert not access.shows_violence_support(None)
