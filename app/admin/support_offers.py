"""What support the unit offers: per kind in messages/catalog/offers.toml, who gives it,
the phone number, where, when and a web link. Administrators only; every change is
audited. Clients see each kind's plain words from the catalog, in their language, with
these details as written (app/casework/support_offers.py)."""

from flask import abort, flash, redirect, render_template, request, url_for

from app.admin import bp
from app.admin.access import current_staff
from app.admin.auth import admin_only
from app.admin.forms import Form
from app.admin.words import N_, _
from app.casework import catalog, support_offers
from app.casework.contacts import display_phone
from app.db import get_session
from app.errors import InvalidInput

# What staff call each kind (the catalog's own words are the clients' Swedish).
KIND_LABELS = {
    "violence": N_("Support against violence in close relationships"),
    "services": N_("The unit's own services"),
    "budget_debt": N_("Budget and debt advice"),
    "bills": N_("Help with bills"),
    "meeting_place": N_("Meeting place"),
    "activities": N_("Activities"),
    "work": N_("Help towards work"),
    "talk": N_("Support for mental health"),
    "relatives": N_("Support for relatives"),
}
FIELDS = ("who", "phone", "place", "hours", "web")


def kind_label(kind: str) -> str:
    """What staff call a kind of offer, in the staff language (the key for a kind added to
    the catalog without a label here)."""
    return _(KIND_LABELS[kind]) if kind in KIND_LABELS else kind


def _client_words(kind: str) -> dict[str, str]:
    words = catalog.entry(catalog.configured_dir(), "offers", kind)
    return {"name": words["name"], "explanation": words["explanation"]}


@bp.route("/settings/support")
@admin_only
def support_offers_list():
    """Every kind of support in the catalog, and which of them the unit offers."""
    unit_id = current_staff().unit_id
    offered = {offer.kind: offer for offer in support_offers.offers(get_session(), unit_id)}
    rows = [
        {
            "kind": kind,
            "label": kind_label(kind),
            "offer": offered.get(kind),
            "phone": display_phone(offered[kind].phone) if kind in offered else "",
        }
        for kind in support_offers.kinds()
    ]
    return render_template("admin/support_offers/index.html", rows=rows)


def _page(kind: str, form: Form, offered: bool, status: int = 200):
    return (
        render_template(
            "admin/support_offers/edit.html",
            kind=kind,
            label=kind_label(kind),
            words=_client_words(kind),
            form=form,
            offered=offered,
            violence=kind == support_offers.VIOLENCE,
        ),
        status,
    )


@bp.route("/settings/support/<kind>", methods=["GET", "POST"])
@admin_only
def support_offer_edit(kind: str):
    """Offer one kind of support, or change its details; errors say what is wrong."""
    if kind not in support_offers.kinds():
        abort(404)
    session = get_session()
    staff = current_staff()
    offer = next((o for o in support_offers.offers(session, staff.unit_id) if o.kind == kind), None)
    if request.method == "GET":
        values = {field: getattr(offer, field) for field in FIELDS} if offer is not None else {}
        if offer is not None and offer.phone:
            values["phone"] = display_phone(offer.phone)
        return _page(kind, Form(values), offer is not None)
    form = Form()
    values = {field: form.value(field) for field in FIELDS}
    try:
        support_offers.save(
            session, staff.unit_id, kind, values, actor_id=staff.id, actor_name=staff.name
        )
    except InvalidInput as exc:
        form.absorb(exc)
    if not form.ok:  # the domain's errors, or what reading the form found
        session.rollback()
        return _page(kind, form, offer is not None, 422)
    session.commit()
    flash(_("Saved: %(kind)s.", kind=kind_label(kind)))
    return redirect(url_for("admin.support_offers_list"))


@bp.route("/settings/support/<kind>/remove", methods=["POST"])
@admin_only
def support_offer_remove(kind: str):
    """Stop offering one kind of support."""
    if kind not in support_offers.kinds():
        abort(404)
    session = get_session()
    staff = current_staff()
    if support_offers.remove(
        session, staff.unit_id, kind, actor_id=staff.id, actor_name=staff.name
    ):
        session.commit()
        flash(_("No longer offered: %(kind)s.", kind=kind_label(kind)))
    return redirect(url_for("admin.support_offers_list"))
