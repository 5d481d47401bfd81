"""The Jinja environment the message templates render in, with less work per render.

compose() renders a message kind's template for every text the sweep sends and every
answer the webhook gives, and each template imports the shared macros (messages/_rows.j2
and the other `_*.j2`) without context, so Jinja keeps each imported file as a module,
built once per environment. What Jinja still does on every render and every import is
look at the template's globals: by default a ChainMap over the environment's globals,
which Python walks key by key (copying them into each render's context, listing their
names, and comparing those with the imported file's on every import: a tenth of a
message's time). No message template has globals of its own, so here a template's
globals are the environment's own dict.
"""

from collections.abc import MutableMapping
from typing import Any

import jinja2


class MessageEnvironment(jinja2.Environment):
    """A Jinja environment whose templates share its globals dict (none has its own)."""

    def make_globals(self, d: MutableMapping[str, Any] | None) -> MutableMapping[str, Any]:
        """The environment's globals themselves when a template brings none (always, for
        messages), so that each render copies a plain dict; a template given globals of
        its own still gets them over the environment's, as Jinja does."""
        return self.globals if not d else super().make_globals(d)

    def get_template(
        self,
        name: str | jinja2.Template,
        parent: str | None = None,
        globals: MutableMapping[str, Any] | None = None,
    ) -> jinja2.Template:
        """A template by name. Globals for it are refused: Jinja would add them to the
        cached template's globals, which here are the environment's own."""
        if globals:
            raise ValueError("Message templates take their values from render(), not globals.")
        return super().get_template(name, parent)
