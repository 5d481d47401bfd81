"""The Jinja environment the message templates render in, with less work per render.

compose() renders a message kind's template for every text the sweep sends and every
answer the webhook gives, and each template imports the shared macros (messages/_rows.j2
and the other `_*.j2`) without context, so Jinja keeps each imported file as a module,
built once per environment. What Jinja's defaults still did on every render, and what
this environment does instead (each the same result, found in the profile of bench 3):

- a template's globals were a ChainMap over the environment's, which Python walks key by
  key (copied into each render's context, listed, and compared with the imported file's
  on every import: a tenth of a message's time). No message template has globals of its
  own, so here they are the environment's own dict;
- a template was looked up through the loader's weak reference and a cache key on every
  render and every import; outside debug (no reloading) a plain dict by name answers;
- `facts.name` on a dict first tried the attribute, raising and catching AttributeError,
  before the key: here the key is looked up first when no dict attribute has that name;
- new-style gettext went through Jinja's context-passing wrapper and a second
  Context.call for each `{% trans %}`: in a text environment (no HTML escaping) the
  catalog's gettext is called directly and the values formatted into it, as the wrapper
  does.
"""

from collections.abc import Callable, MutableMapping
from typing import Any

import jinja2

_DICT_ATTRIBUTES = frozenset(dir(dict))


class MessageEnvironment(jinja2.Environment):
    """A Jinja environment for templates that share its globals dict (none has its own)."""

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self._by_name: dict[str, jinja2.Template] = {}

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
        """A template by name, kept by name once loaded unless templates are reloaded when
        they change (debug). Globals for it are refused: Jinja would add them to the
        cached template's globals, which here are the environment's own."""
        if globals:
            raise ValueError("Message templates take their values from render(), not globals.")
        if self.auto_reload or not isinstance(name, str):
            return super().get_template(name, parent)
        template = self._by_name.get(name)
        if template is None:
            template = self._by_name[name] = super().get_template(name, parent)
        return template

    def getattr(self, obj: Any, attribute: str) -> Any:
        """`obj.attribute` in a template: a dict's key straight away when no dict attribute
        has that name (Jinja would try the attribute first, and fail, every time)."""
        if type(obj) is dict and attribute not in _DICT_ATTRIBUTES:
            try:
                return obj[attribute]
            except KeyError:
                return self.undefined(obj=obj, name=attribute)
        return super().getattr(obj, attribute)

    def install_translations(
        self, gettext: Callable[[str], str], ngettext: Callable[[str, str, int], str]
    ) -> None:
        """New-style gettext and ngettext: each `{% trans %}` gives its values to them and
        they format them into the translation. In HTML, Jinja's own (which mark the
        translation safe before formatting, so the values are escaped)."""
        self.install_gettext_callables(  # type: ignore[attr-defined]  # added by jinja2.ext.i18n
            gettext, ngettext, newstyle=True
        )
        if self.autoescape:
            return

        def text_gettext(string: str, /, **variables: Any) -> str:
            return gettext(string) % variables

        def text_ngettext(singular: str, plural: str, num: int, /, **variables: Any) -> str:
            variables.setdefault("num", num)
            return ngettext(singular, plural, num) % variables

        self.globals.update(gettext=text_gettext, ngettext=text_ngettext)
