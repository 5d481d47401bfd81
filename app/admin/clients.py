"""Clients: search, register, edit, consent, opt-out, PIN, links, and the client page."""

from flask import flash, redirect, render_template, request, url_for
from sqlalchemy import and_, func, or_
from sqlmodel import col, select

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
from app.admin.client_page import client_overview
from app.admin.closing import closing_view
from app.admin.forms import Form, page_number, staff_text
from app.admin.labels import options
from app.admin.words import _
from app.casework import clients, pins
from app.casework.contact_needs import AID_LENGTH, INTERPRETER_LANGUAGES
from app.db import get_session
from app.errors import InvalidInput
from app.models import Channel, Client, ConsentMethod, Privacy, saved_id, utcnow
from app.pages import links
from app.sms.digits import normalise_digits
from app.words.languages import languages

PAGE_SIZE = 50
CONSENT_METHODS = (ConsentMethod.WRITTEN, ConsentMethod.VERBAL)
NO_CONSENT = "none"  # the form's answer "not yet": consent is one choice, never half given


def consent_choices() -> list[tuple[str, str]]:
    """The one consent question: yes and how, or not yet (nothing is sent until it is yes)."""
    return [
        (ConsentMethod.WRITTEN, _("Yes, in writing")),
        (ConsentMethod.VERBAL, _("Yes, verbally")),
        (NO_CONSENT, _("Not yet: no messages go out until the client agrees")),
    ]


def _consent(form: Form) -> str | None:
    """The consent method chosen, None for not yet; an error when nothing is chosen."""
    choice = form.value("consent_method")
    if choice not in {value for value, _label in consent_choices()}:
        form.fail("consent_method", _("Say whether the client has agreed to get messages."))
        return None
    return None if choice == NO_CONSENT else choice


def language_options() -> list[tuple[str, str]]:
    """Every client language: its own name, and in the staff language when different."""
    from app.admin.labels import language_label

    result = []
    for language in languages():
        staff_name = language_label(language.code)
        text = language.native_name
        if staff_name.lower() != language.native_name.lower():
            text = f"{staff_name} – {language.native_name}"
        result.append((language.code, text))
    return result


def interpreter_options() -> list[tuple[str, str]]:
    """The languages an interpreter can be booked in, by their name in the staff language."""
    named = [(code, _(name)) for code, name in INTERPRETER_LANGUAGES.items()]
    return sorted(named, key=lambda option: option[1].casefold())


def _search(text: str):
    """Every word must match a name; three or more digits may match the phone's end."""
    words = [
        or_(
            func.lower(Client.first_name).like(f"%{w}%"),
            func.lower(Client.last_name).like(f"%{w}%"),
        )
        for w in text.lower().split()
    ]
    names = and_(*words)
    digits = "".join(c for c in normalise_digits(text) if c.isdigit())
    if len(digits) < 3:
        return names
    national = digits[1:] if digits.startswith("0") else digits  # 070… is +4670…
    return or_(names, col(Client.phone).like(f"%{national}"))


@bp.route("/clients", endpoint="clients")
def clients_list():
    """The clients the person handles, searchable by name or phone number."""
    staff = current_staff()
    query_text = request.args.get("q", "").strip()[:100]
    page = page_number(request.args.get("page"))
    closed = request.args.get("show") == "closed"  # those no longer clients, alone
    query = select(Client).where(
        visible_clients(staff, today(), closed=True) & col(Client.closed_at).is_not(None)
        if closed
        else visible_clients(staff, today())
    )
    if query_text:
        query = query.where(_search(query_text))
    total = get_session().exec(select(func.count()).select_from(query.subquery())).one()
    rows = (
        get_session()
        .exec(
            query.order_by(Client.first_name, Client.last_name, col(Client.id))
            .offset((page - 1) * PAGE_SIZE)
            .limit(PAGE_SIZE)
        )
        .all()
    )
    workers = {s.id: s.name for s in colleagues(get_session(), staff)}
    return render_template(
        "admin/clients/list.html",
        clients=rows,
        query=query_text,
        total=total,
        page=page,
        pages=max(1, -(-total // PAGE_SIZE)),
        workers=workers,
        closed=closed,
    )


def _detail_fields(form: Form, staff_ids: list[int]) -> dict:
    values = {
        "first_name": form.text("first_name", required=True, max_length=80),
        "last_name": form.text("last_name", max_length=80),
        "phone": form.phone("phone"),
        "email": form.text("email", max_length=254),
        "email_copies": form.boolean("email_copies"),
        "language": form.choice("language", [lang.code for lang in languages()]),
        "channel": form.choice("channel", list(Channel)),
        "picture_support": form.boolean("picture_support"),
        "privacy": form.choice("privacy", list(Privacy)),
        "interpreter_language": form.choice(
            "interpreter_language", list(INTERPRETER_LANGUAGES), required=False
        ),
        "communication_aid": form.text("communication_aid", max_length=AID_LENGTH),
    }
    caseworker = form.choice("caseworker_id", [str(i) for i in staff_ids], required=False)
    values["caseworker_id"] = int(caseworker) if caseworker else None
    return values


def _form_values(form: Form) -> dict:
    return {
        "form": form,
        "languages": language_options(),
        "channels": options(*Channel),
        "privacy_levels": options(*Privacy),
        "consent_choices": consent_choices(),
        "interpreter_languages": interpreter_options(),
        "workers": [(str(s.id), s.name) for s in colleagues(get_session(), current_staff())],
    }


@bp.route("/clients/new", methods=["GET", "POST"])
def client_new():
    """Register a client, with consent if it was given."""
    staff = current_staff()
    db = get_session()
    form = Form(
        None
        if request.method == "POST"
        else {"language": "sv", "channel": "sms", "privacy": "full", "caseworker_id": staff.id}
    )
    if request.method == "POST":
        workers = [saved_id(s) for s in colleagues(db, staff)]
        values = _detail_fields(form, workers)
        if values["caseworker_id"] is None and not is_admin(staff):
            values["caseworker_id"] = staff.id  # else the new client would vanish from view
        consent = _consent(form)
        if form.ok:
            try:
                client = clients.enroll(
                    db,
                    unit_id=staff.unit_id,
                    consent_method=consent,
                    consent_recorded_by_id=staff.id if consent else None,
                    **values,
                )
            except InvalidInput as exc:
                form.absorb(exc)
            else:
                record("client_created", client_id=client.id)
                db.commit()
                flash(
                    _(
                        "%(name)s is registered. A welcome message is on its way.",
                        name=client.first_name,
                    )
                    if consent
                    else _(
                        "%(name)s is registered. No messages go out until consent is recorded.",
                        name=client.first_name,
                    )
                )
                return redirect(url_for("admin.client", client_id=client.id))
    return render_template("admin/clients/new.html", **_form_values(form))


@bp.route("/clients/<int:client_id>")
def client(client_id: int):
    """Everything about one client: details, representatives, records and the timeline
    (also of a client no longer a client: closing and the register extract are here)."""
    found = client_or_404(client_id, closed=True)
    return render_template(
        "admin/clients/show.html",
        **client_overview(get_session(), found),
        **closing_view(found),
    )


@bp.route("/clients/<int:client_id>/edit", methods=["GET", "POST"])
def client_edit(client_id: int):
    """Change a client's details."""
    found = client_or_404(client_id)
    db = get_session()
    if request.method == "POST":
        form = Form()
        values = _detail_fields(form, [saved_id(s) for s in colleagues(db, current_staff())])
        consent = _consent(form) if found.consent_at is None else None
        if form.ok:
            try:
                changes = clients.update(db, found, **values)
            except InvalidInput as exc:
                form.absorb(exc)
            else:
                for action, detail in changes.audit_events():
                    record(action, client_id=found.id, detail=detail)
                if consent:
                    staff_id = current_staff().id
                    clients.record_consent(db, found, consent, recorded_by_id=staff_id)
                    record("consent_recorded", client_id=found.id, detail=consent)
                db.commit()
                if consent:
                    flash(_("Saved. Consent recorded: a welcome message is on its way."))
                elif changes.links_revoked:
                    flash(_("Saved. Page links sent to the old number no longer work."))
                else:
                    flash(_("Saved."))
                return redirect(url_for("admin.client", client_id=found.id))
    else:
        form = Form(
            {
                "first_name": found.first_name,
                "last_name": found.last_name,
                "phone": found.phone,
                "email": found.email,
                "email_copies": "1" if found.email_copies else "",
                "language": found.language,
                "channel": found.channel,
                "picture_support": "1" if found.picture_support else "",
                "privacy": found.privacy,
                "interpreter_language": found.interpreter_language,
                "communication_aid": found.communication_aid,
                "caseworker_id": str(found.caseworker_id or ""),
                "consent_method": found.consent_method or NO_CONSENT,
            }
        )
    return render_template("admin/clients/edit.html", client=found, **_form_values(form))


@bp.route("/clients/<int:client_id>/consent", methods=["POST"])
def client_consent(client_id: int):
    """Record that the client agreed to get messages (in writing or verbally)."""
    found = client_or_404(client_id)
    form = Form()
    method = form.choice("consent_method", list(CONSENT_METHODS))
    if not form.ok:
        flash(_("Choose how the client agreed."), "error")
    else:
        clients.record_consent(get_session(), found, method, recorded_by_id=current_staff().id)
        record("consent_recorded", client_id=found.id, detail=method)
        get_session().commit()
        flash(_("Consent recorded. A welcome message is on its way."))
    return redirect(url_for("admin.client", client_id=found.id))


@bp.route("/clients/<int:client_id>/opt-out", methods=["POST"])
def client_opt_out(client_id: int):
    """The client told staff they want no more messages."""
    found = client_or_404(client_id)
    clients.opt_out(get_session(), found)
    record("opted_out", client_id=found.id, detail="recorded by staff")
    get_session().commit()
    flash(_("No more messages will be sent to %(name)s.", name=found.first_name))
    return redirect(url_for("admin.client", client_id=found.id))


@bp.route("/clients/<int:client_id>/opt-in", methods=["POST"])
def client_opt_in(client_id: int):
    """The client wants messages again."""
    found = client_or_404(client_id)
    clients.opt_in(get_session(), found)
    record("opted_in", client_id=found.id, detail="recorded by staff")
    get_session().commit()
    flash(_("Messages to %(name)s are switched on again.", name=found.first_name))
    return redirect(url_for("admin.client", client_id=found.id))


@bp.route("/clients/<int:client_id>/pin", methods=["POST"])
def client_pin(client_id: int):
    """Give the client a new PIN for the phone menu and the discreet pages."""
    found = client_or_404(client_id)
    try:
        pins.set_pin(get_session(), found, request.form.get("pin", ""))
    except InvalidInput as exc:
        flash(staff_text(exc.errors["pin"]), "error")  # marked N_ in app/casework/pins.py
    else:
        record("pin_set", client_id=found.id)
        get_session().commit()
        flash(_("The new PIN is saved. Tell it to the client, not by text message."))
    return redirect(url_for("admin.client", client_id=found.id) + "#security")


@bp.route("/clients/<int:client_id>/links/revoke", methods=["POST"])
def client_links_revoke(client_id: int):
    """Stop every page link the client has been sent (for example, a lost phone)."""
    found = client_or_404(client_id)
    count = links.revoke_all(get_session(), found, utcnow())
    record("links_revoked", client_id=found.id, detail=str(count))
    get_session().commit()
    flash(_("%(count)d links no longer work.", count=count))
    return redirect(url_for("admin.client", client_id=found.id) + "#security")
