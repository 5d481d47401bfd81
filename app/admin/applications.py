"""Applications: register one, and move it from step to step.

The client page lists them; each has its own page with a small form per step, asking only
what that step needs. A step forward tells the client; going back corrects a mistake and
tells nothing (app/casework/applications.py).
"""

from flask import abort, flash, redirect, render_template, request, url_for
from sqlmodel import col, select

from app.admin import bp
from app.admin.access import client_or_404, current_staff, record, today
from app.admin.client_page import record_messages
from app.admin.forms import Form
from app.admin.labels import catalog_label, catalog_options, day, label
from app.admin.words import N_, _
from app.casework import applications
from app.db import get_session
from app.errors import InvalidInput
from app.models import (
    Application,
    ApplicationStep,
    Client,
    Decision,
    DecisionStatus,
    SubjectType,
    saved_id,
)

Step = ApplicationStep
# What staff see once a step is saved: whether the client is told.
TOLD = N_("Saved. The client is told.")
NOT_TOLD = N_("Saved. The client is not told (going back or ending tells nothing).")
# The forms on an application's page, in order: the step, what it asks, the button.
STEP_FORMS = (
    (Step.RECEIVED, (), N_("Back to received")),
    (Step.INVESTIGATING, (), N_("Being investigated")),
    (Step.COMMENT, ("answer_by",), N_("Send for the client's comment")),
    (Step.DECIDED, ("decision_id",), N_("Link the decision")),
    (Step.WAITING, ("start_expected_on",), N_("Granted: tell the expected start")),
    (Step.STARTED, ("started_on",), N_("The support has started")),
    (Step.WITHDRAWN, (), N_("The client withdrew it")),
    (Step.CLOSED, (), N_("Close it")),
)


def _application_or_404(application_id: int) -> tuple[Application, Client]:
    """An application of a client the signed-in person may see."""
    found = get_session().get(Application, application_id)
    if found is None:
        abort(404)
    return found, client_or_404(found.client_id)


def _decisions(client: Client) -> list[Decision]:
    """The client's decisions made, the latest first: what a step can be linked to."""
    query = (
        select(Decision)
        .where(Decision.client_id == client.id, Decision.status == DecisionStatus.DECIDED)
        .order_by(col(Decision.decided_on).desc(), col(Decision.id).desc())
    )
    return list(get_session().exec(query))


@bp.route("/clients/<int:client_id>/applications/new", methods=["GET", "POST"])
def application_new(client_id: int):
    """Register an application: the client is told it came and what happens next."""
    client = client_or_404(client_id)
    services = catalog_options("services")
    form = Form() if request.method == "POST" else Form({"received_on": today().isoformat()})
    if request.method == "POST":
        service = form.choice("service", [key for key, _label in services])
        received_on = form.day("received_on")
        expected = form.day("decision_expected_on", required=False)
        if form.ok and received_on is not None:
            session = get_session()
            try:
                application = applications.receive(
                    session, client, service=service, received_on=received_on,
                    decision_expected_on=expected, staff_id=current_staff().id,
                )  # fmt: skip
            except InvalidInput as exc:
                session.rollback()
                form.absorb(exc)
            else:
                record("application_received", client_id=client.id,
                       subject_type=SubjectType.APPLICATION, subject_id=application.id)  # fmt: skip
                session.commit()
                flash(_(TOLD))
                return redirect(url_for("admin.application", application_id=application.id))
    return render_template(
        "admin/applications/new.html", client=client, form=form, services=services
    )


def _decision_label(decision: Decision) -> str:
    """A decision as a choice: its service, outcome and day."""
    text = f"{catalog_label('services', decision.service)}: {label(decision.outcome)}"
    return f"{text}, {day(decision.decided_on)}" if decision.decided_on else text


def _show(application: Application, client: Client, forms: dict[str, Form], status: int = 200):
    known = {
        "answer_by": application.answer_by.isoformat() if application.answer_by else "",
        "start_expected_on": application.start_expected_on.isoformat()
        if application.start_expected_on
        else "",
        "decision_id": str(application.decision_id or ""),
    }
    forms = {step.value: forms.get(step.value) or Form(known) for step in Step} | {
        "delay": forms.get("delay") or Form({})
    }
    return render_template(
        "admin/applications/application.html",
        application=application,
        client=client,
        forms=forms,
        # The form sent back, as a value of its own: the layout then renders the page once
        # beforehand, so its error summary names the fields (admin/forms.errors_on_page).
        failed=next((form for form in forms.values() if form.errors), None),
        step_forms=STEP_FORMS,
        decisions=_decisions(client),
        decision_options=[(str(d.id), _decision_label(d)) for d in _decisions(client)],
        delays=catalog_options("delays"),
        messages=record_messages(SubjectType.APPLICATION, saved_id(application)),
        decision=get_session().get(Decision, application.decision_id)
        if application.decision_id
        else None,
    ), status


@bp.route("/applications/<int:application_id>")
def application(application_id: int):
    """An application: its step, the messages about it, and a form for each step."""
    found, client = _application_or_404(application_id)
    return _show(found, client, {})


def _step_values(form: Form, step: Step, client: Client) -> dict:
    """What a step's form gave, typed; errors go to the form."""
    if step == Step.COMMENT:
        return {"answer_by": form.day("answer_by")}
    if step == Step.WAITING:
        return {"start_expected_on": form.day("start_expected_on")}
    if step == Step.STARTED:
        return {"started_on": form.day("started_on", required=False)}
    if step == Step.DECIDED:
        chosen = form.choice("decision_id", [d.id for d in _decisions(client)])
        return {"decision": get_session().get(Decision, int(chosen))} if form.ok else {}
    return {}


@bp.route("/applications/<int:application_id>/step", methods=["POST"])
def application_step(application_id: int):
    """Move the application to the step the form is for."""
    found, client = _application_or_404(application_id)
    step = request.form.get("step", "")
    if step not in set(Step):
        abort(400)
    form = Form()
    values = _step_values(form, Step(step), client)
    if not form.ok:
        return _show(found, client, {step: form}, status=400)
    session = get_session()
    before = found.step
    try:
        changed = applications.move(session, client, found, step, **values)
    except InvalidInput as exc:
        session.rollback()
        form.absorb(exc)
        return _show(found, client, {step: form}, status=400)
    if not changed:
        flash(_("Nothing changed: the application is already there."))
        return redirect(url_for("admin.application", application_id=found.id))
    told = applications.rank(step) >= applications.rank(before) and step in applications.STEP_KINDS
    record("application_step", client_id=client.id, subject_type=SubjectType.APPLICATION,
           subject_id=found.id, detail=f"{before}->{step}")  # fmt: skip
    session.commit()
    flash(_(TOLD) if told else _(NOT_TOLD))
    return redirect(url_for("admin.application", application_id=found.id))


@bp.route("/applications/<int:application_id>/delay", methods=["POST"])
def application_delay(application_id: int):
    """Granted support starts later: the client is told the new day and why."""
    found, client = _application_or_404(application_id)
    form = Form()
    new_start = form.day("new_start_on")
    reason = form.choice("delay_reason", [key for key, _label in catalog_options("delays")])
    if form.ok and new_start is not None:
        session = get_session()
        try:
            applications.delay(session, client, found, start_expected_on=new_start, reason=reason)
        except InvalidInput as exc:
            session.rollback()
            form.absorb(exc, {"start_expected_on": "new_start_on"})
        else:
            record("application_delayed", client_id=client.id,
                   subject_type=SubjectType.APPLICATION, subject_id=found.id)  # fmt: skip
            session.commit()
            flash(_(TOLD))
            return redirect(url_for("admin.application", application_id=found.id))
    return _show(found, client, {"delay": form}, status=400)


@bp.route("/applications/<int:application_id>/commented", methods=["POST"])
def application_commented(application_id: int):
    """The client has given their comment: the reminder is not sent."""
    found, client = _application_or_404(application_id)
    session = get_session()
    if not applications.comment_received(session, found):
        flash(_("Nothing changed: the application is not waiting for a comment."))
        return redirect(url_for("admin.application", application_id=found.id))
    record("application_commented", client_id=client.id,
           subject_type=SubjectType.APPLICATION, subject_id=found.id)  # fmt: skip
    session.commit()
    flash(_("Saved. No reminder to comment is sent."))
    return redirect(url_for("admin.application", application_id=found.id))
