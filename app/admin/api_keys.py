"""API keys for connected case systems: administrators make them (the key is shown once),
see when each was last used, and revoke them. The keys themselves are never stored."""

from flask import abort, flash, redirect, render_template, request, url_for

from app.admin import bp
from app.admin.access import current_staff, record
from app.admin.auth import admin_only
from app.admin.forms import Form
from app.admin.words import N_, _
from app.api import keys
from app.db import get_session
from app.errors import InvalidInput
from app.models import ApiKey, SubjectType

SCOPE_LABELS = {
    "read": N_("Read only"),
    "read,write": N_("Read and write"),
}


def _scope_options() -> list[tuple[str, str]]:
    return [(value, _(label)) for value, label in SCOPE_LABELS.items()]


@bp.route("/api-keys")
@admin_only
def api_keys():
    """The unit's API keys: working ones first, with when each was last used."""
    return render_template(
        "admin/api_keys/list.html",
        api_keys=keys.of_unit(get_session(), current_staff().unit_id),
        scope_labels=SCOPE_LABELS,
    )


@bp.route("/api-keys/new", methods=["GET", "POST"])
@admin_only
def api_key_new():
    """Make a key for a connected system; the page after shows it once."""
    form = Form({"scopes": "read,write"}) if request.method == "GET" else Form()
    if request.method == "POST":
        name = form.text("name", required=True, max_length=keys.MAX_NAME_LENGTH)
        scopes = form.choice("scopes", list(SCOPE_LABELS))
        if form.ok:
            session = get_session()
            staff = current_staff()
            try:
                key, secret = keys.create(
                    session,
                    unit_id=staff.unit_id,
                    name=name,
                    scopes=scopes,
                    created_by_id=staff.id,
                )
            except InvalidInput as exc:
                session.rollback()
                form.absorb(exc)
            else:
                record("api_key_created", subject_type=SubjectType.API_KEY, subject_id=key.id,
                       detail=f"{key.name}: {key.scopes}")  # fmt: skip
                session.commit()
                # Shown in this answer only (never stored, never in a redirect's session).
                return render_template(
                    "admin/api_keys/created.html",
                    api_key=key,
                    secret=secret,
                    scope_label=_(SCOPE_LABELS[scopes]),
                    base_url=request.url_root.rstrip("/") + "/api/v1",
                )
    page = render_template("admin/api_keys/new.html", form=form, scope_options=_scope_options())
    return page, (422 if form.errors else 200)


@bp.route("/api-keys/<int:key_id>/revoke", methods=["POST"])
@admin_only
def api_key_revoke(key_id: int):
    """Stop a key at once: every call with it is refused from now on."""
    session = get_session()
    key = session.get(ApiKey, key_id)
    if key is None or key.unit_id != current_staff().unit_id:
        abort(404)
    if key.revoked_at is not None:
        flash(_("This key was already revoked."), "warning")
        return redirect(url_for("admin.api_keys"))
    keys.revoke(session, key)
    record("api_key_revoked", subject_type=SubjectType.API_KEY, subject_id=key.id, detail=key.name)
    session.commit()
    flash(_("The key %(prefix)s… for %(name)s is revoked.", prefix=key.prefix, name=key.name))
    return redirect(url_for("admin.api_keys"))
