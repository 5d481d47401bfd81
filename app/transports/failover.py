"""Two SMS providers: the primary, and a secondary the sweep moves to while the primary fails.

The health of each provider lives in the database (sms_provider_health), so every worker
process moves away together and comes back together:

- every SMS handed over counts as a try for the provider that took it; a try fails when
  the provider could not take it for its own sake (unreachable, timed out, a server error,
  throttling us, refusing our credentials). A permanent error about one message (a bad
  number) is that message's fault, not the provider's, and counts as a try only;
- the primary is down when, within FAILOVER_WINDOW_SECONDS, at least FAILOVER_MIN_FAILURES
  tries failed and they were at least FAILOVER_FAILURE_PERCENT of its tries. From then on
  SMS go through the secondary;
- after FAILOVER_COOLDOWN_SECONDS one message (one process claims it) goes through the
  primary again: a probe with real traffic. If it is taken the primary is healthy again;
  if not, the next probe comes a cool-down later.

A failed try is not sent again at once through the other provider: a timeout may hide a
message that went out, so it waits for its retry like any other (app/outbox/sweep.py).
Calls stay on Twilio. Crash recovery asks every provider that could have sent a message;
retention deletes at the provider whose id it holds.
"""

import logging
import re
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from sqlalchemy import insert, update
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlmodel import Session, col, select

from app.db import get_engine
from app.models import utcnow
from app.models.providers import SmsProviderHealth
from app.transports.base import Accepted, Outgoing, StoredFile, Transport, TransportError

log = logging.getLogger(__name__)

# 46elks' ids are "s" and 32 hex digits (https://46elks.com/docs/sms-history); Twilio's
# start with two capitals (SM, MM, CA, RE, ME) or are URLs at api.twilio.com.
ELKS_ID = re.compile(r"s[0-9a-f]{32}")
TWILIO_ID = re.compile(r"[A-Z]{2}[0-9a-f]{32}|https://api\.twilio\.com/.*")


def provider_of(ref: str, default: str) -> str:
    """The provider whose id (or URL) `ref` is, by its shape; `default` when it cannot tell."""
    if ELKS_ID.fullmatch(ref):
        return "46elks"
    if TWILIO_ID.fullmatch(ref):
        return "twilio"
    if ref.startswith("CONSOLE"):
        return "console"
    return default


@dataclass(frozen=True)
class FailoverRules:
    """When the primary counts as down, and how long until it is tried again."""

    min_failures: int = 5
    failure_percent: int = 50
    window: timedelta = timedelta(minutes=3)
    cooldown: timedelta = timedelta(minutes=5)

    @classmethod
    def from_config(cls, config: dict) -> "FailoverRules":
        """The rules the settings give (FAILOVER_*)."""
        return cls(
            min_failures=int(config.get("FAILOVER_MIN_FAILURES") or 5),
            failure_percent=int(config.get("FAILOVER_FAILURE_PERCENT") or 50),
            window=timedelta(seconds=int(config.get("FAILOVER_WINDOW_SECONDS") or 180)),
            cooldown=timedelta(seconds=int(config.get("FAILOVER_COOLDOWN_SECONDS") or 300)),
        )


def provider_fault(exc: TransportError) -> bool:
    """Whether a failed try was the provider's fault rather than the message's."""
    return exc.refusal is not None or not exc.permanent


class ProviderHealth:
    """Reads and writes sms_provider_health in short transactions of its own."""

    def __init__(self, rules: FailoverRules) -> None:
        self.rules = rules

    def is_down(self, name: str, now: datetime) -> tuple[bool, bool]:
        """(down, may probe now): whether `name` is failed over from, and if so whether this
        process just claimed the next probe with real traffic."""
        with Session(get_engine()) as session:
            state = session.get(SmsProviderHealth, name)
            if state is None or state.down_since is None:
                return False, False
            if state.probe_at is not None and state.probe_at > now:
                return True, False
            claimed = session.exec(  # one process probes; the others wait a cool-down
                update(SmsProviderHealth)
                .where(
                    col(SmsProviderHealth.name) == name,
                    col(SmsProviderHealth.probe_at) == state.probe_at,
                )
                .values(probe_at=now + self.rules.cooldown)
            )
            session.commit()
            return True, claimed.rowcount == 1

    def record(self, name: str, failed: bool, now: datetime) -> str | None:
        """Count one try; returns "down" when it took `name` down, "up" when it brought it
        back, else None."""
        with Session(get_engine()) as session:
            self._count(session, name, failed, now)
            rules = self.rules
            if failed:
                changed = session.exec(
                    update(SmsProviderHealth)
                    .where(
                        col(SmsProviderHealth.name) == name,
                        col(SmsProviderHealth.down_since).is_(None),
                        col(SmsProviderHealth.failures) >= rules.min_failures,
                        col(SmsProviderHealth.failures) * 100
                        >= col(SmsProviderHealth.tries) * rules.failure_percent,
                    )
                    .values(down_since=now, probe_at=now + rules.cooldown)
                )
                outcome = "down" if changed.rowcount == 1 else None
            else:
                changed = session.exec(
                    update(SmsProviderHealth)
                    .where(
                        col(SmsProviderHealth.name) == name,
                        col(SmsProviderHealth.down_since).is_not(None),
                    )
                    .values(
                        down_since=None, probe_at=None, window_started_at=now, tries=1, failures=0
                    )
                )
                outcome = "up" if changed.rowcount == 1 else None
            session.commit()
            return outcome

    def _count(self, session: Session, name: str, failed: bool, now: datetime) -> None:
        # A window older than the rules' starts afresh; then one more try (and failure).
        session.exec(
            update(SmsProviderHealth)
            .where(
                col(SmsProviderHealth.name) == name,
                col(SmsProviderHealth.window_started_at) < now - self.rules.window,
            )
            .values(window_started_at=now, tries=0, failures=0)
        )
        counted = session.exec(
            update(SmsProviderHealth)
            .where(col(SmsProviderHealth.name) == name)
            .values(
                tries=SmsProviderHealth.tries + 1,
                failures=SmsProviderHealth.failures + int(failed),
            )
        )
        if counted.rowcount == 1:
            return
        try:
            with session.begin_nested():
                session.exec(
                    insert(SmsProviderHealth).values(
                        name=name, window_started_at=now, tries=1, failures=int(failed)
                    )
                )
        except IntegrityError:  # another process made the row first: count on it
            session.exec(
                update(SmsProviderHealth)
                .where(col(SmsProviderHealth.name) == name)
                .values(
                    tries=SmsProviderHealth.tries + 1,
                    failures=SmsProviderHealth.failures + int(failed),
                )
            )

    def states(self) -> list[SmsProviderHealth]:
        """Every provider's row, for staff and tests."""
        with Session(get_engine(), expire_on_commit=False) as session:
            return list(session.exec(select(SmsProviderHealth)).all())


class FailoverTransport:
    """SMS through the primary, or the secondary while the primary is down; calls through
    Twilio (`voice`, None when no Twilio is configured)."""

    def __init__(
        self,
        primary: Transport,
        secondary: Transport | None,
        voice: Transport | None,
        rules: FailoverRules,
    ) -> None:
        self.primary = primary
        self.secondary = secondary
        self.voice = voice
        self.name = primary.name
        self.health = ProviderHealth(rules)

    @property
    def providers(self) -> list[Transport]:
        """Each distinct provider, the primary first."""
        found: list[Transport] = []
        for transport in (self.primary, self.secondary, self.voice):
            if transport is not None and all(t.name != transport.name for t in found):
                found.append(transport)
        return found

    def _choose(self, now: datetime) -> Transport:
        if self.secondary is None:
            return self.primary
        try:
            down, probe = self.health.is_down(self.primary.name, now)
        except SQLAlchemyError:
            log.exception("Could not read the SMS providers' health; using the primary")
            return self.primary
        return self.secondary if down and not probe else self.primary

    def send(self, outgoing: Outgoing) -> Accepted:
        """Send a call through Twilio, an SMS through the provider the health picks, and
        count the try. The answer names the provider that took it."""
        if outgoing.channel == "voice":
            if self.voice is None:
                raise TransportError("Reminder calls need Twilio (TWILIO_*)", permanent=True)
            return replace(self.voice.send(outgoing), provider=self.voice.name)
        now = utcnow()
        chosen = self._choose(now)
        try:
            accepted = chosen.send(outgoing)
        except TransportError as exc:
            self._record(chosen.name, provider_fault(exc), now)
            raise
        self._record(chosen.name, False, now)
        return replace(accepted, provider=chosen.name)

    def _record(self, name: str, failed: bool, now: datetime) -> None:
        if self.secondary is None:
            return
        try:
            change = self.health.record(name, failed, now)
        except SQLAlchemyError:
            # Health is advice: a database hiccup here must not lose a message sent.
            log.exception("Could not record a try at %s", name)
            return
        if change == "down" and name == self.primary.name:
            log.warning("SMS provider %s is failing: sending through %s", name,
                        self.secondary.name)  # fmt: skip
        elif change == "up" and name == self.primary.name:
            log.warning("SMS provider %s works again: sending through it", name)

    def find_sent(self, message_id: int, to: str, channel: str, since: datetime) -> list[str]:
        """Ask every provider that could have sent it (a call: Twilio; an SMS: both), so a
        message sent through the secondary is found too. Raises TransportError when one
        of them cannot be asked: a message it sent must not go twice."""
        if channel == "voice":
            return self.voice.find_sent(message_id, to, channel, since) if self.voice else []
        found: list[str] = []
        for transport in (self.primary, self.secondary):
            if transport is not None:
                found += transport.find_sent(message_id, to, channel, since)
        return found

    def owner(self, ref: str) -> Transport:
        """The provider that holds what `ref` names: by the shape of its id or URL."""
        by_name = {transport.name: transport for transport in self.providers}
        fallback = "twilio" if "twilio" in by_name else self.primary.name
        return by_name.get(provider_of(ref, fallback), by_name[fallback])

    def delete_stored(self, item: str, ref: str) -> None:
        """Delete at the provider that holds it."""
        self.owner(ref).delete_stored(item, ref)

    def fetch_stored(self, item: str, ref: str) -> StoredFile:
        """Fetch from the provider that holds it (pictures and recordings: Twilio)."""
        return self.owner(ref).fetch_stored(item, ref)
