"""Representatives: a god man, förvaltare or relative, and which copies they may get."""

from flask import flash, redirect, render_template, request, url_for

from app.admin import bp
from app.admin.access import client_or_404, record
from app.admin.clients import language_options
from app.admin.forms import Form, staff_text
from app.admin.labels import options
from app.admin.words import _
from app.casework import representatives
from app.db import get_session
from app.errors import InvalidInput
from app.models import Representative, RepresentativeRole, SubjectType
from app.words.languages import languages

COPIES = representatives.COPIES


def _starting_values(role: str) -> dict[str, str]:
    """A new representative's form: the role asked for (a god man unless another is), and
    the copies that kind of representative usually gets, ticked."""
    if role not in set(RepresentativeRole):
        role = RepresentativeRole.GOD_MAN
    ticked = representatives.DEFAULT_COPIES[role]
    return {"role": role, "language": "sv"} | {copy: "1" for copy in ticked}


def _fields(form: Form) -> dict:
    values: dict[str, str | bool] = {
        "name": form.text("name", required=True, max_length=120),
        "role": form.choice("role", list(RepresentativeRole)),
        "phone": form.phone("phone"),
        "language": form.choice("language", [lang.code for lang in languages()]),
    }
    values |= {copy: form.boolean(copy) for copy in COPIES}
    return values


def _page(form: Form, client, representative=None):
    return render_template(
        "admin/clients/representative.html",
        form=form,
        client=client,
        representative=representative,
        roles=options(*RepresentativeRole),
        languages=language_options(),
    )


@bp.route("/clients/<int:client_id>/representatives/new", methods=["GET", "POST"])
def representative_new(client_id: int):
    """Add someone who may get copies of the client's messages."""
    client = client_or_404(client_id)
    form = Form(
        None if request.method == "POST" else _starting_values(request.args.get("role", ""))
    )
    if request.method == "POST":
        values = _fields(form)
        if form.ok:
            try:
                added = representatives.add(get_session(), client, **values)
            except InvalidInput as exc:
                form.absorb(exc)
            else:
                record(
                    "representative_added",
                    client_id=client.id,
                    subject_type=SubjectType.REPRESENTATIVE,
                    subject_id=added.id,
                )
                get_session().commit()
                if client.consent_at is not None and representatives.gets_copies(added):
                    flash(_("%(name)s is added and gets a short welcome text now, in their "
                            "language, saying whose copies they get and how to stop.",
                            name=added.name))  # fmt: skip
                else:
                    flash(_("%(name)s is added.", name=added.name))
                return redirect(url_for("admin.client", client_id=client.id) + "#representatives")
    return _page(form, client)


def _representative_or_404(representative_id: int):
    from flask import abort

    representative = get_session().get(Representative, representative_id)
    if representative is None:
        abort(404)
    return representative, client_or_404(representative.client_id)


@bp.route("/representatives/<int:representative_id>/edit", methods=["GET", "POST"])
def representative_edit(representative_id: int):
    """Change a representative's details or which copies they get."""
    representative, client = _representative_or_404(representative_id)
    if request.method == "POST":
        form = Form()
        values = _fields(form)
        if form.ok:
            try:
                representatives.update(get_session(), representative, **values)
            except InvalidInput as exc:
                form.absorb(exc)
            else:
                record(
                    "representative_changed",
                    client_id=client.id,
                    subject_type=SubjectType.REPRESENTATIVE,
                    subject_id=representative.id,
                )
                get_session().commit()
                flash(_("Saved."))
                return redirect(url_for("admin.client", client_id=client.id) + "#representatives")
    else:
        form = Form(
            {
                "name": representative.name,
                "role": representative.role,
                "phone": representative.phone,
                "language": representative.language,
            }
            | {copy: "1" if getattr(representative, copy) else "" for copy in COPIES}
        )
    return _page(form, client, representative)


@bp.route("/representatives/<int:representative_id>/remove", methods=["POST"])
def representative_remove(representative_id: int):
    """Stop sending copies to a representative (kept in the history, marked removed)."""
    representative, client = _representative_or_404(representative_id)
    representatives.remove(get_session(), representative)
    record("representative_removed", client_id=client.id, subject_type=SubjectType.REPRESENTATIVE,
           subject_id=representative.id)  # fmt: skip
    get_session().commit()
    flash(_("%(name)s gets no more copies.", name=representative.name))
    return redirect(url_for("admin.client", client_id=client.id) + "#representatives")


@bp.route("/representatives/<int:representative_id>/overview", methods=["POST"])
def representative_overview(representative_id: int):
    """Text a representative their own overview link: a page of what they may see."""
    representative, client = _representative_or_404(representative_id)
    try:
        message = representatives.send_overview(get_session(), representative)
    except InvalidInput as exc:
        flash(staff_text(next(iter(exc.errors.values()))), "error")
        return redirect(url_for("admin.client", client_id=client.id) + "#representatives")
    get_session().flush()
    record("representative_overview_sent", client_id=client.id,
           subject_type=SubjectType.REPRESENTATIVE, subject_id=representative.id,
           detail=f"outbox {message.id}")  # fmt: skip
    get_session().commit()
    flash(_("%(name)s gets a text with their own overview link, in their language. The page "
            "shows only what they get copies of, and stops working if they are removed.",
            name=representative.name))  # fmt: skip
    return redirect(url_for("admin.client", client_id=client.id) + "#representatives")
