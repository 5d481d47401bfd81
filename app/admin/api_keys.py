"""API keys for connected case systems: administrators make them (the key is shown once),
see when each was last used and how many requests a minute it may make, change that
limit, and revoke them. The keys themselves are never stored."""

from babel.numbers import format_decimal
from flask import abort, flash, redirect, render_template, request, url_for

from app.admin import bp
from app.admin.access import current_staff, record
from app.admin.auth import admin_only
from app.admin.forms import Form
from app.admin.words import N_, _, staff_language
from app.api import keys, rate_limits
from app.db import get_session
from app.errors import InvalidInput
from app.models import ApiKey, SubjectType

SCOPE_LABELS = {
    "read": N_("Read only"),
    "read,write": N_("Read and write"),
}


def _scope_options() -> list[tuple[str, str]]:
    return [(value, _(label)) for value, label in SCOPE_LABELS.items()]


def _rate_limit(form: Form, *, required: bool) -> int | None:
    # "3 000" is how Swedish writes three thousand: the spaces are not an error.
    data = form.data.copy()
    data["rate_limit"] = "".join(form.value("rate_limit").split())
    form.data = data
    return form.integer(
        "rate_limit", minimum=rate_limits.MINIMUM, maximum=rate_limits.MAXIMUM, required=required
    )


def _number(value: int) -> str:
    return format_decimal(value, locale=staff_language())


def _unit_key(key_id: int) -> ApiKey:
    key = get_session().get(ApiKey, key_id)
    if key is None or key.unit_id != current_staff().unit_id:
        abort(404)
    return key


@bp.route("/api-keys")
@admin_only
def api_keys():
    """The unit's API keys: working ones first, with when each was last used."""
    return render_template(
        "admin/api_keys/list.html",
        api_keys=keys.of_unit(get_session(), current_staff().unit_id),
        scope_labels=SCOPE_LABELS,
        number=_number,
    )


@bp.route("/api-keys/new", methods=["GET", "POST"])
@admin_only
def api_key_new():
    """Make a key for a connected system; the page after shows it once."""
    initial = {"scopes": "read,write", "rate_limit": str(rate_limits.DEFAULT_LIMIT)}
    form = Form(initial) if request.method == "GET" else Form()
    if request.method == "POST":
        name = form.text("name", required=True, max_length=keys.MAX_NAME_LENGTH)
        scopes = form.choice("scopes", list(SCOPE_LABELS))
        rate_limit = _rate_limit(form, required=False) or rate_limits.DEFAULT_LIMIT
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
                    rate_limit=rate_limit,
                )
            except InvalidInput as exc:
                session.rollback()
                form.absorb(exc)
            else:
                record("api_key_created", subject_type=SubjectType.API_KEY, subject_id=key.id,
                       detail=f"{key.name}: {key.scopes}, {key.rate_limit}/min")  # fmt: skip
                session.commit()
                # Shown in this answer only (never stored, never in a redirect's session).
                return render_template(
                    "admin/api_keys/created.html",
                    api_key=key,
                    secret=secret,
                    scope_label=_(SCOPE_LABELS[scopes]),
                    rate_limit=_number(key.rate_limit),
                    base_url=request.url_root.rstrip("/") + "/api/v1",
                )
    page = render_template(
        "admin/api_keys/new.html",
        form=form,
        scope_options=_scope_options(),
        default_limit=_number(rate_limits.DEFAULT_LIMIT),
    )
    return page, (422 if form.errors else 200)


@bp.route("/api-keys/<int:key_id>/limit", methods=["GET", "POST"])
@admin_only
def api_key_limit(key_id: int):
    """Change how many requests a minute a key may make; it holds from the next request."""
    key = _unit_key(key_id)
    form = Form({"rate_limit": str(key.rate_limit)}) if request.method == "GET" else Form()
    if request.method == "POST":
        rate_limit = _rate_limit(form, required=True)
        if form.ok and rate_limit is not None:
            session = get_session()
            before = key.rate_limit
            keys.set_rate_limit(session, key, rate_limit)
            record("api_key_limit_changed", subject_type=SubjectType.API_KEY, subject_id=key.id,
                   detail=f"{key.name}: {before}/min -> {rate_limit}/min")  # fmt: skip
            session.commit()
            flash(
                _(
                    "The key %(prefix)s… for %(name)s may now make %(limit)s requests a minute.",
                    prefix=key.prefix,
                    name=key.name,
                    limit=_number(rate_limit),
                )
            )
            return redirect(url_for("admin.api_keys"))
    page = render_template(
        "admin/api_keys/limit.html",
        form=form,
        api_key=key,
        default_limit=_number(rate_limits.DEFAULT_LIMIT),
    )
    return page, (422 if form.errors else 200)


@bp.route("/api-keys/<int:key_id>/revoke", methods=["POST"])
@admin_only
def api_key_revoke(key_id: int):
    """Stop a key at once: every call with it is refused from now on."""
    session = get_session()
    key = _unit_key(key_id)
    if key.revoked_at is not None:
        flash(_("This key was already revoked."), "warning")
        return redirect(url_for("admin.api_keys"))
    keys.revoke(session, key)
    record("api_key_revoked", subject_type=SubjectType.API_KEY, subject_id=key.id, detail=key.name)
    session.commit()
    flash(_("The key %(prefix)s… for %(name)s is revoked.", prefix=key.prefix, name=key.name))
    return redirect(url_for("admin.api_keys"))
