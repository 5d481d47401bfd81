"""Webhook subscriptions of an API key on the admin page: administrators add an address
and its events (the secret is shown once), see the delivery log, pause, resume, rotate the
secret and remove a subscription. The same functions as the API (app/webhooks/)."""

from flask import abort, current_app, flash, redirect, render_template, request, url_for

from app.admin import bp
from app.admin.access import current_staff, record
from app.admin.auth import admin_only
from app.admin.forms import Form, staff_text
from app.admin.words import N_, _
from app.db import get_session
from app.errors import InvalidInput
from app.models import ApiKey, SubjectType, WebhookEventType, WebhookSubscription
from app.webhooks import subscriptions

EVENT_LABELS = {
    WebhookEventType.OUTBOX_STATUS: N_("A message is planned or its status changes"),
    WebhookEventType.INBOUND_RECEIVED: N_("A client or representative sends a text"),
    WebhookEventType.CALLBACK_REQUESTED: N_("A client asks to be called back"),
    WebhookEventType.ATTENDANCE_RECORDED: N_("Attendance at a meeting is recorded"),
}
STATE_LABELS = {
    "pending": N_("Waiting for another try"),
    "delivered": N_("Delivered"),
    "failed": N_("Given up"),
}
LOG_LINES = 50


def _event_options() -> list[tuple[str, str]]:
    return [(str(value), _(label)) for value, label in EVENT_LABELS.items()]


def _unit_key(key_id: int) -> ApiKey:
    key = get_session().get(ApiKey, key_id)
    if key is None or key.unit_id != current_staff().unit_id:
        abort(404)
    return key


def _own(subscription_id: int) -> tuple[WebhookSubscription, ApiKey]:
    subscription = get_session().get(WebhookSubscription, subscription_id)
    if subscription is None:
        abort(404)
    return subscription, _unit_key(subscription.api_key_id)


def _audit(action: str, key: ApiKey, subscription: WebhookSubscription) -> None:
    # The address names a system, not a person: it may be in the audit log.
    record(action, subject_type=SubjectType.API_KEY, subject_id=key.id,
           detail=f"{key.name}: {subscription.url}")  # fmt: skip


def _page(key: ApiKey, form: Form, status: int = 200):
    session = get_session()
    listed = [
        (s, subscriptions.waiting(session, s), subscriptions.log(session, s, LOG_LINES))
        for s in subscriptions.of_key(session, key)
    ]
    page = render_template(
        "admin/webhooks/list.html",
        api_key=key,
        subscriptions=listed,
        form=form,
        event_options=_event_options(),
        event_labels=EVENT_LABELS,
        state_labels=STATE_LABELS,
    )
    return page, status


@bp.route("/api-keys/<int:key_id>/webhooks", methods=["GET", "POST"])
@admin_only
def webhooks(key_id: int):
    """A key's subscriptions with their delivery log, and the form to add one."""
    key = _unit_key(key_id)
    if request.method == "GET":
        return _page(key, Form({"events": [str(e) for e in EVENT_LABELS]}))
    form = Form()
    url = form.text("url", required=True, max_length=500)
    events = form.choices("events", [str(e) for e in EVENT_LABELS])
    if not events and "events" not in form.errors:
        form.fail("events", N_("Choose at least one event."))
    if key.revoked_at is not None:
        form.fail("url", N_("This key is revoked: it gets no events."))
    if form.ok:
        session = get_session()
        try:
            subscription, secret = subscriptions.create(
                session,
                key,
                url,
                events,
                allow_private=current_app.config["WEBHOOK_ALLOW_PRIVATE_ADDRESSES"],
            )
        except InvalidInput as exc:
            session.rollback()
            form.absorb(exc)
        else:
            _audit("webhook_added", key, subscription)
            session.commit()
            return render_template(
                "admin/webhooks/secret.html", api_key=key, subscription=subscription, secret=secret
            )
    return _page(key, form, 422)


@bp.route("/webhooks/<int:subscription_id>/pause", methods=["POST"])
@admin_only
def webhook_pause(subscription_id: int):
    """Stop deliveries; events wait."""
    subscription, key = _own(subscription_id)
    subscriptions.pause(subscription)
    _audit("webhook_paused", key, subscription)
    get_session().commit()
    flash(_("Paused. Events wait until you resume."))
    return redirect(url_for("admin.webhooks", key_id=key.id))


@bp.route("/webhooks/<int:subscription_id>/resume", methods=["POST"])
@admin_only
def webhook_resume(subscription_id: int):
    """Deliver again: what waited goes out in order."""
    subscription, key = _own(subscription_id)
    subscriptions.resume(get_session(), subscription)
    _audit("webhook_resumed", key, subscription)
    get_session().commit()
    flash(_("Resumed. The events that waited are sent now."))
    return redirect(url_for("admin.webhooks", key_id=key.id))


@bp.route("/webhooks/<int:subscription_id>/secret", methods=["POST"])
@admin_only
def webhook_rotate(subscription_id: int):
    """A new secret, shown once; the old one still signs for 24 hours (another new one
    within them is refused, with the reason)."""
    subscription, key = _own(subscription_id)
    try:
        secret = subscriptions.rotate(subscription)
    except InvalidInput as exc:
        flash(staff_text(exc.errors["secret"]), "error")
        return redirect(url_for("admin.webhooks", key_id=key.id))
    _audit("webhook_secret_rotated", key, subscription)
    get_session().commit()
    return render_template(
        "admin/webhooks/secret.html",
        api_key=key,
        subscription=subscription,
        secret=secret,
        rotated=True,
    )


@bp.route("/webhooks/<int:subscription_id>/remove", methods=["POST"])
@admin_only
def webhook_remove(subscription_id: int):
    """Remove a subscription with the events that waited."""
    subscription, key = _own(subscription_id)
    _audit("webhook_removed", key, subscription)
    subscriptions.remove(get_session(), subscription)
    get_session().commit()
    flash(_("The address is removed. It gets no more events."))
    return redirect(url_for("admin.webhooks", key_id=key.id))
