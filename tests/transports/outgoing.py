"""A message as the sweep hands it to a transport, for the transport tests."""

from app.transports import Outgoing

BODY = "Hej Sara! Det här är Ekby kommun.\nDu ska träffa Lina Berg tisdag 3 mars klockan 14.00."


def outgoing(**values) -> Outgoing:
    """A Swedish reminder to Sara by SMS, with `values` changed."""
    defaults = dict(
        message_id=7,
        to="+46700000001",
        channel="sms",
        kind="appointment_reminder",
        body=BODY,
        language="sv",
        encoding="GSM-7",
        segments=1,
    )
    return Outgoing(**(defaults | values))
