"""Checklists: ask a client for documents (once, or every month), tick what has arrived,
send a paper back, give more time, stop a monthly application, withdraw a list.

The rules (what is sent when, when a list is complete) are app.casework.checklists'; these views
read the forms, hand them over, and tell staff what happened.
"""

from babel.lists import format_list
from flask import abort, current_app, flash, redirect, render_template, request, url_for
from werkzeug.datastructures import MultiDict

from app.admin import bp
from app.admin.access import client_or_404, current_staff, record, today
from app.admin.appointments import reminders_note
from app.admin.client_page import record_messages
from app.admin.forms import Form
from app.admin.labels import catalog_label, catalog_options
from app.admin.words import _, ngettext, staff_language
from app.casework import checklist_changes, checklist_series, checklists
from app.db import get_session
from app.errors import InvalidInput
from app.models import Checklist, ChecklistStatus, Client, SubjectType, saved_id

# Ticking names a document per call; the form's field holds them all.
RECEIVED_FIELDS = {"document_type": "received"}
# Sending back names the document in its own field; the list's state shows at the top.
SEND_BACK_FIELDS = {"document_type": "sent_back", "status": "sent_back"}


def _checklist_or_404(checklist_id: int) -> tuple[Checklist, Client]:
    """The checklist and its client, if the signed-in person may see the client."""
    checklist = get_session().get(Checklist, checklist_id)
    if checklist is None:
        abort(404)
    return checklist, client_or_404(checklist.client_id)


def _document_options(application_type: str) -> list[tuple[str, str]]:
    """Every document, those the application type asks for first, in its order (the order
    the client's list will have)."""
    everything = catalog_options("documents")
    names = dict(everything)
    defaults = [key for key in checklists.default_documents(application_type) if key in names]
    return [(key, names[key]) for key in defaults] + [
        (key, name) for key, name in everything if key not in defaults
    ]


def _upper_first(text: str) -> str:
    """'hyresavi' as the start of a sentence: 'Hyresavi'."""
    return text[:1].upper() + text[1:]


def _reminder_days() -> str:
    """'3 and 1' (in the staff language): how many days before the due date reminders go."""
    days = [str(d) for d in current_app.config["CHECKLIST_REMINDER_DAYS"]]
    return format_list(days, locale=staff_language()) if days else ""


@bp.route("/clients/<int:client_id>/checklists/new", methods=["GET", "POST"])
def checklist_new(client_id: int):
    """Ask for documents in two steps: choose the application type, then check the
    documents it asks for (ticked already) and give the due date."""
    session = get_session()
    client = client_or_404(client_id)
    applications = catalog_options("applications")
    source = request.form if request.method == "POST" else request.args
    application_type = source.get("application_type", "")
    if application_type not in dict(applications):
        return render_template(
            "admin/checklists/choose.html", client=client, applications=applications
        )
    documents = _document_options(application_type)
    if request.method == "GET":
        initial = MultiDict({"application_type": application_type})
        initial.setlist("documents", checklists.default_documents(application_type))
        form = Form(initial)
    else:
        form = Form()
        due_date = form.day("due_date")
        wanted = form.choices("documents", [key for key, _name in documents])
        monthly_day = form.integer("repeat_monthly_day", minimum=1, maximum=31, required=False)
        if form.ok and due_date is not None:  # a required day is None only on a failed form
            try:
                created = checklists.create(
                    session,
                    client,
                    application_type=application_type,
                    due_date=due_date,
                    documents=wanted,
                    staff_id=current_staff().id,
                    repeat_monthly_day=monthly_day,
                )
            except InvalidInput as exc:
                session.rollback()
                form.absorb(exc)
            else:
                record(
                    "checklist_created",
                    client_id=client.id,
                    subject_type=SubjectType.CHECKLIST,
                    subject_id=created.id,
                    detail=application_type,
                )
                session.commit()
                note = reminders_note(
                    SubjectType.CHECKLIST, saved_id(created), "checklist_reminder"
                )
                if monthly_day is not None:
                    note += " " + _(
                        "A new list goes out every month, %(days)d days before day %(day)d.",
                        days=checklist_series.MONTHLY_LEAD_DAYS,
                        day=monthly_day,
                    )
                flash(_("The list of documents goes to the client now.") + " " + note)
                return redirect(url_for("admin.client", client_id=client.id))
    return render_template(
        "admin/checklists/new.html",
        client=client,
        form=form,
        application_type=application_type,
        documents=documents,
        reminder_days=_reminder_days(),
        lead_days=checklist_series.MONTHLY_LEAD_DAYS,
    )


def _page(checklist: Checklist, client: Client, form: Form):
    session = get_session()
    items = checklists.items(session, checklist)
    first = checklist_series.first_of(session, checklist)
    return render_template(
        "admin/checklists/checklist.html",
        checklist=checklist,
        client=client,
        list_items=items,  # not `items`: the layout sets that name for its navigation
        missing=[
            (i.document_type, catalog_label("documents", i.document_type))
            for i in items
            if i.received_at is None
        ],
        received=[
            (i.document_type, catalog_label("documents", i.document_type))
            for i in items
            if i.received_at is not None
        ],
        problems=catalog_options("paper_problems"),
        overdue=checklists.is_overdue(checklist, today()),
        first=first,
        months=checklist_series.months(session, first) if first is not None else [],
        form=form,
        messages=record_messages(SubjectType.CHECKLIST, saved_id(checklist)),
    )


@bp.route("/checklists/<int:checklist_id>")
def checklist(checklist_id: int):
    """A checklist: each document, received or not, and what was sent about it."""
    found, client = _checklist_or_404(checklist_id)
    return _page(found, client, Form())


@bp.route("/checklists/<int:checklist_id>/received", methods=["POST"])
def checklist_received(checklist_id: int):
    """Tick documents as received; the client is thanked, or told the list is complete."""
    session = get_session()
    found, client = _checklist_or_404(checklist_id)
    form = Form()
    missing = [i.document_type for i in checklists.items(session, found) if i.received_at is None]
    ticked = form.choices("received", missing)
    if form.ok and not ticked:
        form.fail("received", _("Tick the documents that have come in."))
    if form.ok:
        try:
            for document_type in ticked:
                checklists.receive(session, found, document_type)
        except InvalidInput as exc:
            session.rollback()  # all ticks or none
            form.absorb(exc, RECEIVED_FIELDS)
        else:
            record(
                "documents_ticked",
                client_id=client.id,
                subject_type=SubjectType.CHECKLIST,
                subject_id=found.id,
                detail=", ".join(ticked),
            )
            session.commit()
            if found.status == ChecklistStatus.COMPLETE:
                flash(_("Every document is in. The client is told the list is complete."))
            else:
                flash(
                    ngettext(
                        "%(num)d document ticked as received. The client gets a thank-you.",
                        "%(num)d documents ticked as received. The client gets a thank-you.",
                        len(ticked),
                    )
                )
            return redirect(url_for("admin.client", client_id=client.id))
    return _page(found, client, form)


@bp.route("/checklists/<int:checklist_id>/cancel", methods=["GET", "POST"])
def checklist_cancel(checklist_id: int):
    """Ask 'are you sure?' (GET), then withdraw the list: nothing more is sent (POST)."""
    session = get_session()
    found, client = _checklist_or_404(checklist_id)
    if request.method == "GET":
        return render_template("admin/checklists/cancel.html", checklist=found, client=client)
    # Only an open list is withdrawn: a complete one stays complete in the client's history.
    if found.status != ChecklistStatus.OPEN:
        flash(_("This list is closed already."))
        return redirect(url_for("admin.client", client_id=client.id))
    checklists.cancel(session, found)
    record(
        "checklist_cancelled",
        client_id=client.id,
        subject_type=SubjectType.CHECKLIST,
        subject_id=found.id,
    )
    session.commit()
    flash(_("The list is withdrawn. No more reminders about it go out."))
    return redirect(url_for("admin.client", client_id=client.id))


@bp.route("/checklists/<int:checklist_id>/due-date", methods=["POST"])
def checklist_due_date(checklist_id: int):
    """Give more time: move the due date; the client is told the new date, and reminders
    and the offer of help follow it."""
    session = get_session()
    found, client = _checklist_or_404(checklist_id)
    form = Form()
    due_date = form.day("due_date")
    if form.ok and due_date is not None:
        try:
            moved = checklist_changes.move_due_date(session, found, due_date)
        except InvalidInput as exc:
            session.rollback()
            form.absorb(exc, {"status": "due_date"})
        else:
            if not moved:
                flash(_("That is the due date already. Nothing was sent."))
                return redirect(url_for("admin.checklist", checklist_id=found.id))
            record(
                "checklist_due_date_moved",
                client_id=client.id,
                subject_type=SubjectType.CHECKLIST,
                subject_id=found.id,
                detail=due_date.isoformat(),
            )
            session.commit()
            flash(_("The new due date is saved. The client is told it now."))
            return redirect(url_for("admin.checklist", checklist_id=found.id))
    return _page(found, client, form)


@bp.route("/checklists/<int:checklist_id>/send-back", methods=["POST"])
def checklist_send_back(checklist_id: int):
    """Send a received document back as unclear or wrong: the client is told which one and
    why, and it is missing again (reminders resume)."""
    session = get_session()
    found, client = _checklist_or_404(checklist_id)
    form = Form()
    received = [i.document_type for i in checklists.items(session, found) if i.received_at]
    document_type = form.choice("sent_back", received)
    problem = form.choice("problem", [key for key, _name in catalog_options("paper_problems")])
    if form.ok:
        try:
            checklist_changes.mark_unclear(session, found, document_type, problem)
        except InvalidInput as exc:
            session.rollback()
            form.absorb(exc, SEND_BACK_FIELDS)
        else:
            record(
                "document_sent_back",
                client_id=client.id,
                subject_type=SubjectType.CHECKLIST,
                subject_id=found.id,
                detail=f"{document_type}: {problem}",
            )
            session.commit()
            flash(
                _(
                    "%(document)s is on the list of missing documents again. The client is"
                    " told why.",
                    document=_upper_first(catalog_label("documents", document_type)),
                )
            )
            return redirect(url_for("admin.checklist", checklist_id=found.id))
    return _page(found, client, form)


@bp.route("/checklists/<int:checklist_id>/stop-repeating", methods=["POST"])
def checklist_stop_repeating(checklist_id: int):
    """Stop a monthly application: no more months are made; the lists already sent stay."""
    session = get_session()
    found, client = _checklist_or_404(checklist_id)
    try:
        first = checklist_series.stop(session, found)
    except InvalidInput:
        session.rollback()
        flash(_("This list does not repeat."))
        return redirect(url_for("admin.checklist", checklist_id=found.id))
    record(
        "checklist_series_stopped",
        client_id=client.id,
        subject_type=SubjectType.CHECKLIST,
        subject_id=first.id,
    )
    session.commit()
    flash(_("No new monthly lists will be made. The lists already sent stay as they are."))
    return redirect(url_for("admin.checklist", checklist_id=found.id))
