"""Handovers: give one or many clients to a colleague, for good or during an absence.

All chosen clients are handed over in one transaction: if one cannot be, none is. An
absence then shows the meetings it covers (app/admin/absence_meetings.py).
"""

from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from sqlalchemy import and_, or_
from sqlmodel import Session, col, func, select

from app.admin import bp
from app.admin.access import (
    client_or_404,
    colleagues,
    current_staff,
    is_admin,
    record,
    today,
    visible_clients,
)
from app.admin.forms import Form
from app.admin.labels import catalog_options, options
from app.admin.words import _, ngettext
from app.casework import absences, handovers
from app.db import get_session
from app.errors import InvalidInput
from app.models import (
    Client,
    Handover,
    HandoverKind,
    OutboxMessage,
    OutboxStatus,
    StaffUser,
    SubjectType,
    Unit,
    utcnow,
)


def unit_staff(session: Session, staff: StaffUser) -> list[StaffUser]:
    """Everyone of the unit but the person, also those who have left (their clients may
    still need a new case worker)."""
    query = select(StaffUser).where(StaffUser.unit_id == staff.unit_id, StaffUser.id != staff.id)
    return list(session.exec(query.order_by(StaffUser.name)))


def _from_staff(session: Session, staff: StaffUser) -> StaffUser | None:
    """Whose clients an administrator is handing over (None: their own)."""
    if not is_admin(staff):
        return None
    wanted = request.values.get("from_staff_id", "")
    client_id = request.args.get("client_id", "")
    if not wanted and client_id.isdigit():  # a client's page links here for that client
        client = session.get(Client, int(client_id))
        if client and client.unit_id == staff.unit_id and client.caseworker_id:
            wanted = str(client.caseworker_id)
    return {str(person.id): person for person in unit_staff(session, staff)}.get(wanted)


def handled_clients(session: Session, staff: StaffUser, from_staff: StaffUser | None) -> list:
    """The clients the list offers: a case worker's own and those they stand in for; for an
    administrator, the chosen colleague's clients (or their own)."""
    if is_admin(staff):
        owner = from_staff or staff
        condition = and_(
            col(Client.unit_id) == staff.unit_id, col(Client.caseworker_id) == owner.id
        )
    else:
        condition = visible_clients(staff, today())
    query = select(Client).where(condition).order_by(Client.first_name, Client.last_name)
    return list(session.exec(query))


def open_handovers(session: Session, staff: StaffUser) -> list[tuple[Handover, Client, StaffUser]]:
    """Handovers that can still be cancelled (not begun yet, or an absence not over), with
    the client and the colleague who takes over."""
    day = today()
    query = (
        select(Handover, Client, StaffUser)
        .join(Client, col(Client.id) == Handover.client_id)
        .join(StaffUser, col(StaffUser.id) == Handover.to_staff_id)
        .where(
            col(Handover.cancelled_at).is_(None),
            or_(
                col(Handover.starts_on) > day,
                and_(col(Handover.kind) == HandoverKind.ABSENCE, col(Handover.ends_on) >= day),
            ),
            visible_clients(staff, day),
        )
        .order_by(col(Handover.starts_on), Client.first_name)
    )
    return list(session.exec(query))


def _name(client: Client) -> str:
    return f"{client.first_name} {client.last_name}".strip()


def _hand_over_all(session: Session, chosen: list[Client], form: Form, values: dict) -> list:
    """Hand every chosen client over; on any error nothing is kept and the form says why."""
    made, refused = [], []
    for client in chosen:
        try:
            made.append((handovers.hand_over(session, client, **values), client))
        except InvalidInput as exc:
            problem = exc.errors.get("to_staff_id")
            if problem:  # this client's own problem: the colleague is already their contact
                refused.append((client, problem))
                continue
            form.absorb(exc)  # the same for every client: say it once
            break
    if refused:
        names = ", ".join(_name(client) for client, _problem in refused)
        form.fail(
            "to_staff_id", _(refused[0][1]) + " " + _("This concerns: %(names)s.", names=names)
        )
    if not form.ok:
        session.rollback()
        return []
    return made


def _planned_notices(session: Session, made: list) -> int:
    ids = [handover.id for handover, _client in made]
    query = select(func.count(col(OutboxMessage.id))).where(
        OutboxMessage.subject_type == SubjectType.HANDOVER,
        col(OutboxMessage.subject_id).in_(ids),
        OutboxMessage.status == OutboxStatus.PENDING,
    )
    return session.exec(query).one()


@bp.route("/handovers/new", methods=["GET", "POST"])
def handover_new():
    """Hand one or many clients to a colleague, for good or for an absence."""
    session = get_session()
    staff = current_staff()
    from_staff = _from_staff(session, staff)
    clients = handled_clients(session, staff, from_staff)
    people = [
        person
        for person in colleagues(session, staff)
        if person.id != staff.id and (from_staff is None or person.id != from_staff.id)
    ]
    if request.method == "GET":
        preselected = request.args.get("client_id", "")
        form = Form(
            {
                "client_ids": [preselected] if preselected else [],
                "kind": HandoverKind.PERMANENT,
                "starts_on": today().isoformat(),
                "next_step": "continue",
            }
        )
    else:
        form = Form()
        by_id = {str(client.id): client for client in clients}
        picked = list(dict.fromkeys(form.choices("client_ids", by_id)))
        if not picked and "client_ids" not in form.errors:
            form.fail("client_ids", _("Choose at least one client."))
        to_id = form.choice("to_staff_id", [person.id for person in people])
        kind = form.choice("kind", list(HandoverKind))
        values = {
            "kind": kind,
            "starts_on": form.day("starts_on"),
            "ends_on": form.day("ends_on", required=False),
            "next_step": form.choice("next_step", [k for k, _l in catalog_options("next_steps")]),
            "file_passed_on": form.boolean("file_passed_on"),
            "from_staff": from_staff,
            "now": utcnow(),
        }
        if form.ok:
            values["to_staff"] = session.get(StaffUser, int(to_id))
            made = _hand_over_all(session, [by_id[i] for i in picked], form, values)
            if made:
                return _done(session, staff, from_staff, made)
    return render_template(
        "admin/handovers/new.html",
        form=form,
        clients=[(str(client.id), _name(client)) for client in clients],
        people=[(str(person.id), person.name) for person in people],
        from_staff=from_staff,
        everyone=[
            (str(p.id), p.name if p.active else _("%(name)s (has left)", name=p.name))
            for p in unit_staff(session, staff)
        ],
        kinds=options(*HandoverKind),
        next_steps=catalog_options("next_steps"),
        current=open_handovers(session, staff),
        admin=is_admin(staff),
        notice_days=session.get_one(Unit, staff.unit_id).handover_notice_days,
    )


def _done(session: Session, staff: StaffUser, from_staff: StaffUser | None, made: list):
    """Audit, commit, say what happened, and go where the person can carry on."""
    for handover, client in made:
        record(
            "handover_made",
            client_id=client.id,
            subject_type=SubjectType.HANDOVER,
            subject_id=handover.id,
            detail=f"{handover.kind} to staff {handover.to_staff_id}",
        )
    session.flush()
    notices = _planned_notices(session, made)
    session.commit()
    to_name = session.get_one(StaffUser, made[0][0].to_staff_id).name
    flash(
        ngettext(
            "%(num)d client handed over to %(name)s.",
            "%(num)d clients handed over to %(name)s.",
            len(made),
            name=to_name,
        )
        + " "
        + ngettext("%(num)d notice planned.", "%(num)d notices planned.", notices)
    )
    away = [h.id for h, _client in made if absences.meetings_during(session, h, utcnow())]
    if away:  # the meetings in the absence wait for a choice: show them at once
        return redirect(url_for("admin.handover_meetings", handover=away))
    if len(made) == 1:
        client = made[0][1]
        still_mine = session.exec(
            select(Client.id).where(Client.id == client.id, visible_clients(staff, today()))
        ).first()
        if still_mine is not None:
            return redirect(url_for("admin.client", client_id=client.id))
    args: dict[str, Any] = {"from_staff_id": from_staff.id} if from_staff else {}
    return redirect(url_for("admin.handover_new", **args))


@bp.route("/handovers/<int:handover_id>/cancel", methods=["POST"])
def handover_cancel(handover_id: int):
    """Cancel a handover that has not begun, or an absence before it is over."""
    session = get_session()
    handover = session.get(Handover, handover_id)
    if handover is None:
        abort(404)
    client = client_or_404(handover.client_id)
    back = (
        url_for("admin.handover_new")
        if request.form.get("back") == "handovers"
        else url_for("admin.client", client_id=client.id)
    )
    if handover.cancelled_at is not None:
        flash(_("This handover was already cancelled."), "warning")
        return redirect(back)
    started = handover.starts_on <= today()
    if handover.kind == HandoverKind.PERMANENT and started:
        # The client already has the new case worker: cancelling would change nothing.
        flash(_("This handover has already happened. To undo it, hand the client back."), "error")
        return redirect(back)
    away = handover.kind == HandoverKind.ABSENCE and started
    handovers.cancel(session, handover)
    record(
        "handover_cancelled",
        client_id=client.id,
        subject_type=SubjectType.HANDOVER,
        subject_id=handover.id,
    )
    session.commit()
    if away:  # the message that the case worker is back is cancelled with the rest
        flash(
            _(
                "The absence is cancelled. The client is not told that the case worker is "
                "back: tell them yourself."
            ),
            "warning",
        )
    else:
        flash(_("The handover is cancelled. Notices that were not sent are cancelled too."))
    return redirect(back)
