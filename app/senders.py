"""Who texted or called: one role (a client, or a representative of one), every role their
number has in the unit reached, or nobody we know. The SMS conversation and the phone menu
both ask here; the roles themselves come from the access rule."""

from dataclasses import dataclass

from sqlmodel import Session

from app import access
from app.access import Role
from app.models import Client, Representative


@dataclass
class Sender:
    """Who texted or called: one role (a client, or a representative of one), every role
    their number has in the unit reached, or nobody we know."""

    role: Role | None = None
    candidates: tuple[Role, ...] = ()

    @property
    def client(self) -> Client | None:
        return self.role.client if self.role else None

    @property
    def representative(self) -> Representative | None:
        return self.role.representative if self.role else None

    @property
    def language(self) -> str:
        if self.role is not None:
            return self.role.language
        return self.candidates[0].language if self.candidates else "sv"

    @property
    def undecided(self) -> bool:
        """Known in several ways, and not yet said which one this is about."""
        return self.role is None and len(self.candidates) > 1


def identify(session: Session, phone: str, reached: str, chosen: str | None = None) -> Sender:
    """Who the number `phone` is in the unit(s) whose number `reached` was texted or
    called. With one role, that one; with several, the one named by `chosen` (a role key,
    checked against the number's real roles), or none yet."""
    candidates = tuple(access.roles(session, phone, reached))
    if len(candidates) == 1:
        return Sender(candidates[0], candidates)
    return Sender(access.role_by_key(list(candidates), chosen), candidates)


def whose_choices(sender: Sender) -> list[dict]:
    """The list "whose?" as messages show it: a number and the person's first name."""
    return [{"number": n, "name": role.name} for n, role in enumerate(sender.candidates, 1)]


def holder_name(sender: Sender) -> str:
    """The name of the person holding the phone, for the greeting."""
    role = sender.role or (sender.candidates[0] if sender.candidates else None)
    if role is None:
        return ""
    return role.representative.name if role.representative else role.client.first_name
