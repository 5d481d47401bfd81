"""Attendance on the admin page: one click after a meeting records came / did not come /
cancelled (app/casework/attendance.py has the rule), from the client page or the week.

The form (app/templates/admin/appointments/_attendance.html) asks the template helpers
here whether a meeting is open for it and what was recorded, by whom and when.
"""

from flask import abort, flash, redirect, request, url_for
from sqlmodel import Session

from app.admin import bp
from app.admin.access import client_or_404, current_staff, record
from app.admin.auth import safe_next
from app.admin.labels import moment
from app.admin.words import N_, _
from app.casework import attendance
from app.db import get_session
from app.errors import InvalidInput
from app.models import Appointment, StaffUser, SubjectType, utcnow
from app.models.casework import Attendance

# Each answer: its button's words, and what the page says once it is recorded.
CHOICES = (
    (Attendance.CAME, N_("Came"), N_("The client came")),
    (Attendance.NO_SHOW, N_("Did not come"), N_("The client did not come")),
    (Attendance.CANCELLED, N_("Cancelled"), N_("The meeting was cancelled")),
)
DONE: dict[str, str] = {value: done for value, _button, done in CHOICES}


@bp.app_template_global("attendance_choices")
def attendance_choices() -> list[tuple[str, str]]:
    """(value, button words) of each answer, in the staff language."""
    return [(value.value, _(button)) for value, button, _done in CHOICES]


@bp.app_template_global("attendance_open")
def attendance_open(appointment: Appointment) -> bool:
    """Whether attendance may be recorded for the meeting now."""
    return attendance.is_open(appointment, utcnow())


@bp.app_template_global("attendance_note")
def attendance_note(appointment: Appointment) -> str:
    """What was recorded, by whom and when ('The client came (Lina Berg, tor 5 mars
    14:40).'), or '' when nothing is."""
    value = attendance.current(appointment)
    if value is None:
        return ""
    if appointment.attendance != value or appointment.attendance_at is None:
        return _(DONE[value]) + "."  # cancelled in advance: nobody recorded it afterwards
    session: Session = get_session()
    by = session.get(StaffUser, appointment.attendance_by_staff_id or -1)
    return _(
        "%(what)s (%(who)s, %(when)s).",
        what=_(DONE[value]),
        who=by.name if by else _("through the case system"),
        when=moment(appointment.attendance_at),
    )


@bp.route("/appointments/<int:appointment_id>/attendance", methods=["POST"])
def appointment_attendance(appointment_id: int):
    """Record whether the client came to a meeting that has started, then go back to the
    page the form was on."""
    session = get_session()
    appointment = session.get(Appointment, appointment_id)
    if appointment is None:
        abort(404)
    client = client_or_404(appointment.client_id)
    back = safe_next(request.form.get("back") or url_for("admin.client", client_id=client.id))
    value = request.form.get("attendance", "")
    try:
        previous = attendance.record(
            session, appointment, value, staff_id=current_staff().id, now=utcnow()
        )
    except InvalidInput as exc:
        session.rollback()
        problem = exc.errors["attendance"]  # marked N_() where the rule says it
        flash(_(problem), "error")
        return redirect(back)
    when = moment(appointment.starts_at)
    if previous is None:
        flash(_("Already recorded for the meeting %(when)s.", when=when))
        return redirect(back)
    record(
        "appointment_attendance",
        client_id=client.id,
        subject_type=SubjectType.APPOINTMENT,
        subject_id=appointment.id,
        detail=attendance.audit_detail(previous, value),
    )
    session.commit()
    flash(_("%(what)s: the meeting %(when)s.", what=_(DONE[value]), when=when))
    return redirect(back)
