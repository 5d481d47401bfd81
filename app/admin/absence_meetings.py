"""The meetings an absence covers, shown to the staff doing the handover: move each to the
stand-in (the client is told at once), rebook it (its edit page), or keep it with the
person who is away. Until a choice is made, reminders name the stand-in
(app/casework/absences.py).
"""

from dataclasses import dataclass

from flask import abort, flash, redirect, render_template, request, url_for
from sqlmodel import Session
from werkzeug.datastructures import MultiDict

from app.admin import bp
from app.admin.access import client_or_404, record
from app.admin.forms import Form, row_id, staff_text
from app.admin.words import _, ngettext
from app.casework import absences, handovers
from app.db import get_session
from app.errors import InvalidInput
from app.models import (
    Appointment,
    Client,
    Handover,
    HandoverKind,
    StaffUser,
    SubjectType,
    utcnow,
)


@dataclass(frozen=True)
class AbsenceMeeting:
    """A meeting an absence covers, with whom it is and who stands in."""

    meeting: Appointment
    client: Client
    handover: Handover
    absent: StaffUser
    stand_in: StaffUser
    meets: StaffUser | None  # whom the reminders name now (app/casework/absences.py)

    @property
    def field(self) -> str:
        return f"meeting-{self.meeting.id}"

    @property
    def kept(self) -> bool:
        """Whether the meeting is kept with the person away: the reminders name them."""
        person = self.meets.id if self.meets is not None else None
        return self.meeting.keep_with_staff and person == self.absent.id


def handover_ids(values: list[str]) -> list[int]:
    """The handovers asked for, as ids; 404 if none is, or if any is not an id a row can
    have (ASCII digits: "²".isdigit() is true, but it names nothing)."""
    ids = [row_id(value) for value in values]
    if not ids or None in ids:
        abort(404)
    return [i for i in ids if i is not None]


def absence_meetings(session: Session, handover_ids: list[int]) -> list[AbsenceMeeting]:
    """The meetings of these absences (their clients', with the person away, on its days),
    earliest first; 404 if the signed-in person may not see one of the clients."""
    found = []
    now = utcnow()
    for handover_id in dict.fromkeys(handover_ids):
        handover = session.get(Handover, handover_id)
        if handover is None or handover.kind != HandoverKind.ABSENCE:
            abort(404)
        client = client_or_404(handover.client_id)
        if handover.cancelled_at is not None or handover.from_staff_id is None:
            continue
        absent = session.get_one(StaffUser, handover.from_staff_id)
        stand_in = session.get_one(StaffUser, handover.to_staff_id)
        for meeting in absences.meetings_during(session, handover, now):
            meets = absences.meets(session, meeting, now)
            person = session.get(StaffUser, meets) if meets else None
            found.append(AbsenceMeeting(meeting, client, handover, absent, stand_in, person))
    return sorted(found, key=lambda row: (row.meeting.starts_at, row.meeting.id or 0))


def _choose(session: Session, rows: list[AbsenceMeeting], form: Form) -> tuple[int, int]:
    """Move or keep each meeting as chosen; (moved, kept). The caller commits, or rolls
    back when the form says a meeting could not be moved."""
    moved = kept = 0
    for row in rows:
        choice = form.value(row.field)
        if choice == "move":
            try:
                handovers.move_meeting(session, row.meeting, row.handover)
            except InvalidInput as exc:  # the meeting no longer validates as it is
                problems = " ".join(staff_text(message) for message in exc.errors.values())
                form.fail(
                    row.field,
                    _(
                        "This meeting cannot be moved as it is: %(problems)s Rebook it to"
                        " correct it.",
                        problems=problems,
                    ),
                )
                continue
            moved += 1
            detail = f"staff_id (absence of staff {row.absent.id})"
            action = "appointment_changed"
        elif choice == "keep" and not row.meeting.keep_with_staff:
            handovers.keep_meeting(session, row.meeting)
            kept += 1
            detail = f"kept with staff {row.absent.id} during the absence"
            action = "appointment_kept"
        else:
            continue
        record(
            action,
            client_id=row.client.id,
            subject_type=SubjectType.APPOINTMENT,
            subject_id=row.meeting.id,
            detail=detail,
        )
    return moved, kept


@bp.route("/handovers/meetings", methods=["GET", "POST"])
def handover_meetings():
    """The absent person's meetings in the absence: move each to the stand-in (the client is
    told at once), rebook it, or keep it with the person away."""
    session = get_session()
    ids = handover_ids(request.values.getlist("handover"))
    rows = absence_meetings(session, ids)
    form = Form() if request.method == "POST" else Form({})
    if request.method == "POST":
        for row in rows:
            form.choice(row.field, ["move", "keep"], required=False)
        if form.ok and rows and not any(form.value(row.field) for row in rows):
            form.fail(rows[0].field, _("Choose move or keep for at least one meeting."))
        if form.ok:
            moved, kept = _choose(session, rows, form)
            if not form.ok:
                session.rollback()  # nothing half-saved: every choice or none
        if form.ok:
            session.commit()
            notes = []
            if moved:
                notes.append(
                    ngettext(
                        "%(num)d meeting moved to the stand-in; the client is told now.",
                        "%(num)d meetings moved to the stand-in; each client is told now.",
                        moved,
                    )
                )
            if kept:
                notes.append(
                    ngettext(
                        "%(num)d meeting kept with the person who is away.",
                        "%(num)d meetings kept with the person who is away.",
                        kept,
                    )
                )
            flash(" ".join(notes) or _("Nothing was changed."))
            return redirect(url_for("admin.handover_meetings", handover=ids))
    form.data = MultiDict(form.data)  # a kept meeting shows its choice ticked
    for row in rows:
        if row.kept and not form.value(row.field):
            form.data[row.field] = "keep"
    return render_template(
        "admin/handovers/meetings.html", rows=rows, form=form, handover_ids=ids
    ), (422 if form.errors else 200)
