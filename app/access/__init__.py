"""Who may see and do what, on every channel: the one access rule.

Every channel asks this module and keeps no copy of the rule: the SMS conversation, the
phone menu, reminder calls, picture pages, the sweep (copies to representatives), the
admin pages and the integration API.

The askers:
- **a client**, known by the pair (the number they text or call from, the unit's number
  they reached): one number may be a client of two units;
- **a representative** (god man, förvaltare, relative) while neither removed by staff nor
  opted out, for the kinds of record the client allowed them; a removed or opted-out
  representative is a stranger everywhere;
- **a stranger**: the unit's number and nothing about anyone;
- **a staff member**: the client's current case worker, the stand-in during an active
  absence, and the administrators of the client's unit - nobody else, however many
  handovers they once received;
- **a manager** (an administrator, or staff an administrator named one): besides, the
  complaints and requests for another case worker of every client of their unit, and the
  unit's outcomes (delivery, confirmation, no-show and callback figures). These
  texts are the managers' alone: the client's case worker, a stand-in and the API never
  see them (nor that the client asked how to complain), until a manager passes one on;
- **an API key**: the clients of its own unit.

Discreet clients: nothing identifying (time, place, purpose, service, decision), and no
list of the support the unit offers (violence support among it), is said or sent before
the PIN: by SMS never, by phone and on the page after it. Caller ID is not
proof: by phone, documents and decisions need the PIN whenever the client has one (or the
installation asks everyone for one, VOICE_PIN_REQUIRED).

The rule is written in three parts and asked through this package (`from app import
access`): clients.py (clients, representatives and strangers, by channel), staff.py (staff
and API keys) and managers.py (complaints and requests for another case worker).
"""

from app.access.clients import (
    COPY_PERMISSION,
    DETAILS,
    DISCREET_TOPICS,
    MENU,
    OVERVIEW_TOPICS,
    SENSITIVE,
    Channel,
    Role,
    Topic,
    Verdict,
    decide,
    is_active,
    is_client,
    may_receive_copy,
    menu,
    page_topics,
    permitted,
    pin_asked,
    role_by_key,
    roles,
    shows_violence_support,
    topic_of_kind,
    unit_reached,
    units_reached,
)
from app.access.managers import (
    is_manager,
    key_inbound_rows,
    key_outbox_rows,
    may_see_unit_outcomes,
    staff_client_inbound,
    staff_client_outbox,
    staff_inbound_rows,
    staff_may_see_inbound,
)
from app.access.staff import (
    current_caseworker,
    key_clients,
    may_take_register_extract,
    open_clients,
    staff_clients,
    staff_may_see_unknown,
    staff_unit_rows,
)

__all__ = [
    "COPY_PERMISSION",
    "Channel",
    "DETAILS",
    "DISCREET_TOPICS",
    "MENU",
    "OVERVIEW_TOPICS",
    "Role",
    "SENSITIVE",
    "Topic",
    "Verdict",
    "current_caseworker",
    "decide",
    "is_active",
    "is_client",
    "is_manager",
    "key_clients",
    "key_inbound_rows",
    "key_outbox_rows",
    "may_receive_copy",
    "may_see_unit_outcomes",
    "may_take_register_extract",
    "menu",
    "open_clients",
    "page_topics",
    "permitted",
    "pin_asked",
    "role_by_key",
    "roles",
    "shows_violence_support",
    "staff_client_inbound",
    "staff_client_outbox",
    "staff_clients",
    "staff_inbound_rows",
    "staff_may_see_inbound",
    "staff_may_see_unknown",
    "staff_unit_rows",
    "topic_of_kind",
    "unit_reached",
    "units_reached",
]
