"""Webhook subscriptions of the calling key: Tydligt pushes events to your URL (README
"Webhooks"; the events and their signing are in the OpenAPI document's `webhooks`).

A read-only key manages its own subscriptions too: a system that only reads is exactly
the one that wants pushes instead of polling, a subscription changes nothing about
clients, and its events carry only what the key may read in the feeds anyway."""

from flask import Response, current_app, g

from app.api import resources
from app.api.operations import operation
from app.api.problems import Problem
from app.api.schemas.subscriptions import (
    AttemptList,
    AttemptOut,
    EventsIn,
    SecretOut,
    SubscriptionCreated,
    SubscriptionIn,
    SubscriptionList,
    SubscriptionOut,
)
from app.db import get_session
from app.models import ApiKey, ApiScope, WebhookSubscription
from app.webhooks import subscriptions

TAG = "Webhooks"
NOT_FOUND = "Your key has no such subscription."


def _out(subscription: WebhookSubscription) -> dict:
    return {
        "id": subscription.id,
        "url": subscription.url,
        "events": sorted(subscription.event_set),
        "paused": subscription.paused_at is not None,
        "paused_reason": subscription.paused_reason,
        "waiting": subscriptions.waiting(get_session(), subscription),
        "created_at": subscription.created_at,
    }


def _own(subscription_id: str) -> WebhookSubscription:
    key: ApiKey = g.api_key
    found = (
        get_session().get(WebhookSubscription, int(subscription_id))
        if subscription_id.isascii() and subscription_id.isdigit() and len(subscription_id) < 10
        else None
    )
    if found is None or found.api_key_id != key.id:
        raise Problem(404, NOT_FOUND)
    return found


def _save(subscription: WebhookSubscription) -> None:
    session = get_session()
    session.add(subscription)
    session.commit()


@operation(
    "GET",
    "/subscriptions",
    summary="Your webhook subscriptions",
    tag=TAG,
    scope=ApiScope.READ,
    responses={200: (SubscriptionList, "The key's subscriptions")},
)
def subscriptions_list():
    """The subscriptions of the calling key, with how many events wait for each."""
    items = [SubscriptionOut(**_out(s)) for s in subscriptions.of_key(get_session(), g.api_key)]
    return SubscriptionList(items=items), 200


@operation(
    "POST",
    "/subscriptions",
    summary="Subscribe to events",
    tag=TAG,
    scope=ApiScope.READ,
    body=SubscriptionIn,
    responses={201: (SubscriptionCreated, "Subscribed; keep the secret, it is shown once")},
)
def subscriptions_create(body: SubscriptionIn):
    """Register an https address and the events to push to it (at most 5 addresses a
    key). The answer holds the signing secret, shown this once. You get only what your key
    may read in the feeds: your unit's clients, never texts for the managers."""
    session = get_session()
    with resources.writing(session):
        subscription, secret = subscriptions.create(
            session,
            g.api_key,
            body.url,
            list(body.events),
            allow_private=current_app.config["WEBHOOK_ALLOW_PRIVATE_ADDRESSES"],
        )
        session.commit()
    return SubscriptionCreated(**_out(subscription), secret=secret), 201


@operation(
    "PUT",
    "/subscriptions/{subscription_id}/events",
    summary="Choose the events again",
    tag=TAG,
    scope=ApiScope.READ,
    body=EventsIn,
    responses={200: (SubscriptionOut, "The subscription")},
)
def subscriptions_events(subscription_id: str, body: EventsIn):
    """Replace the events a subscription wants; events already waiting still go out."""
    subscription = _own(subscription_id)
    with resources.writing(get_session()):
        subscriptions.change_events(subscription, list(body.events))
        _save(subscription)
    return SubscriptionOut(**_out(subscription)), 200


@operation(
    "POST",
    "/subscriptions/{subscription_id}/secret",
    summary="Rotate the signing secret",
    tag=TAG,
    scope=ApiScope.READ,
    responses={200: (SecretOut, "The new secret, shown once")},
)
def subscriptions_rotate(subscription_id: str):
    """A new signing secret. For 24 hours each delivery carries two signatures (the new
    secret's and the old one's), so your system can switch without losing any. Another
    rotation within those 24 hours is refused (422)."""
    subscription = _own(subscription_id)
    with resources.writing(get_session()):
        secret = subscriptions.rotate(subscription)
    _save(subscription)
    return SecretOut(secret=secret), 200


@operation(
    "POST",
    "/subscriptions/{subscription_id}/pause",
    summary="Pause deliveries",
    tag=TAG,
    scope=ApiScope.READ,
    responses={200: (SubscriptionOut, "Paused; events wait")},
)
def subscriptions_pause(subscription_id: str):
    """Stop deliveries (for maintenance, say). Events keep being recorded and wait."""
    subscription = _own(subscription_id)
    subscriptions.pause(subscription)
    _save(subscription)
    return SubscriptionOut(**_out(subscription)), 200


@operation(
    "POST",
    "/subscriptions/{subscription_id}/resume",
    summary="Resume deliveries",
    tag=TAG,
    scope=ApiScope.READ,
    responses={200: (SubscriptionOut, "Delivering again")},
)
def subscriptions_resume(subscription_id: str):
    """Deliver again, after a pause by hand or after Tydligt paused the subscription because
    an event was refused for a day: the given-up events (those still kept) are sent again
    first, then what waited, each record's events in order, with their tries anew."""
    subscription = _own(subscription_id)
    subscriptions.resume(get_session(), subscription)
    _save(subscription)
    return SubscriptionOut(**_out(subscription)), 200


@operation(
    "DELETE",
    "/subscriptions/{subscription_id}",
    summary="Unsubscribe",
    tag=TAG,
    scope=ApiScope.READ,
    responses={204: (None, "Removed, with the events that waited")},
)
def subscriptions_delete(subscription_id: str):
    """Remove a subscription; events that waited for it are dropped."""
    session = get_session()
    subscriptions.remove(session, _own(subscription_id))
    session.commit()
    return Response(status=204)


@operation(
    "GET",
    "/subscriptions/{subscription_id}/attempts",
    summary="The delivery log",
    tag=TAG,
    scope=ApiScope.READ,
    responses={200: (AttemptList, "The latest 100 tries, newest first")},
)
def subscriptions_attempts(subscription_id: str):
    """Each try at delivering an event: when, which try, your status code or what went
    wrong, and where the event stands."""
    subscription = _own(subscription_id)
    items = [
        AttemptOut(
            attempted_at=attempt.attempted_at,
            event_type=event_type,
            webhook_id=message_id,
            record=record,
            attempt=attempt.attempt,
            status_code=attempt.status_code,
            error=attempt.error,
            state=state,
        )
        for attempt, event_type, record, message_id, state in subscriptions.log(
            get_session(), subscription
        )
    ]
    return AttemptList(items=items), 200


_ID: dict = {"type": "integer"}
_ID_OR_NULL = {"type": ["integer", "null"]}
_TEXT = {"type": "string"}
_TEXT_OR_NULL: dict = {"type": ["string", "null"]}
_MOMENT = {"type": "string", "format": "date-time"}
_CLIENT: dict[str, dict] = {
    "client_id": _ID,
    "client_source_id": _TEXT_OR_NULL | {"description": "Your system's id of the client"},
}
# What each event's `data` holds: ids, codes and statuses, never words or phone numbers.
EVENTS: dict[str, tuple[str, dict[str, dict]]] = {
    "outbox.status": (
        "A message was planned, or its status changed (sent, delivered, undelivered, "
        "failed, cancelled, pending again for another try …; not the moment it is being "
        "handed over). Each change is one event, in order per message; `GET /outbox` gives "
        "the same message in full.",
        {
            "id": _ID,
            **_CLIENT,
            "recipient": {"enum": ["client", "representative"]},
            "representative_id": _ID_OR_NULL,
            "kind": _TEXT,
            "channel": _TEXT,
            "status": _TEXT,
            "attempts": _ID,
            "part": _ID_OR_NULL,
            "parts": _ID_OR_NULL,
            "subject": {
                "type": ["object", "null"],
                "properties": {"type": _TEXT, "id": _ID_OR_NULL},
            },
        },
    ),
    "inbound.received": (
        "A text from a client or a representative was read: its intent (a keyword, a menu "
        "number, free text) and whether a person must answer. Never the words: read them "
        "with `GET /inbound`. Texts for the managers are never pushed.",
        {
            "id": _ID,
            **_CLIENT,
            "sender": {"enum": ["client", "representative"]},
            "representative_id": _ID_OR_NULL,
            "intent": _TEXT_OR_NULL,
            "needs_answer": {"type": "boolean"},
            "media_count": _ID,
            "received_at": _MOMENT,
        },
    ),
    "callback.requested": (
        "A client asked to be called back (by text or in the phone menu).",
        {
            "id": _ID,
            **_CLIENT,
            "language": _TEXT,
            "interpreter_needed": {"type": "boolean"},
            "source": _TEXT,
            "created_at": _MOMENT,
        },
    ),
    "attendance.recorded": (
        "Staff or a system recorded whether the client came to a meeting, or changed it.",
        {
            "appointment_id": _ID,
            "appointment_source_id": _TEXT_OR_NULL,
            **_CLIENT,
            "attendance": {"enum": ["came", "no_show", "cancelled"]},
            "recorded_at": _MOMENT,
        },
    ),
}
SIGNING = (
    "Signed as Standard Webhooks (standardwebhooks.com) asks: `webhook-signature` is "
    "`v1,` and the base64 HMAC-SHA256 of `{webhook-id}.{webhook-timestamp}.{body}`, keyed "
    "with the subscription's secret without its `whsec_` prefix, base64-decoded. After a "
    "rotation two signatures, space-separated, come for 24 hours. Answer any 2xx within 5 "
    "seconds; anything else (a redirect too) is tried again after 5 s, 5 min, 30 min, 2 h, "
    "5 h, 8 h and 8 h, then given up. Events about one record come in order: a later one "
    "waits for the earlier. While you refuse, you are tried once per step of that backoff "
    "(your other events wait behind the refused one). Only an event given up (a day of "
    "refusals) pauses the subscription until resumed; events still waiting after a day of "
    "pause are given up. Resuming sends the given-up events again first. A retry has the "
    "same `webhook-id`: use it to ignore repeats, and refuse a "
    "`webhook-timestamp` far from your clock. Tydligt connects to the address it checked "
    "(public only), sending your host name as `Host` and in TLS, and checks your "
    "certificate for it."
)
HEADERS = {
    "webhook-id": "The event's id (msg_…), the same on every try",
    "webhook-timestamp": "When this try was sent, in seconds since 1970 (UTC)",
    "webhook-signature": "`v1,<base64 signature>`; two, space-separated, after a rotation",
}


def openapi_webhooks() -> dict:
    """The OpenAPI 3.1 `webhooks` section: each event's body, headers and signing."""
    return {
        name: {
            "post": {
                "summary": name,
                "description": f"{description} {SIGNING}",
                "tags": [TAG],
                "parameters": [
                    {
                        "name": header,
                        "in": "header",
                        "required": True,
                        "description": text,
                        "schema": {"type": "string"},
                    }
                    for header, text in HEADERS.items()
                ],
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/json": {
                            "schema": {
                                "type": "object",
                                "required": ["type", "timestamp", "data"],
                                "properties": {
                                    "type": {"const": name},
                                    "timestamp": _MOMENT,
                                    "data": {
                                        "type": "object",
                                        "required": sorted(fields),
                                        "properties": fields,
                                    },
                                },
                            }
                        }
                    },
                },
                "responses": {"2XX": {"description": "Taken; any other answer is tried again"}},
            }
        }
        for name, (description, fields) in EVENTS.items()
    }
