"""URL rules whose URL builders are compiled once per process.

Werkzeug compiles two small Python functions for every URL rule when it is added to an
app's map (building an AST and compiling it: about two thirds of building an app here).
A builder depends only on the rule's text and parts, never on the app, and takes the rule
as its argument, so every app built in one process can share it: gunicorn workers build
one app each, but the test suite builds thousands.

It overrides Werkzeug's `Rule._compile_builder`, which is not public API: Werkzeug is
pinned in constraints.txt, and a change there fails every test that builds a URL.
"""

from collections.abc import Callable
from typing import Any, ClassVar

from werkzeug.routing import Rule


class SharedBuilderRule(Rule):
    """A Rule whose compiled URL builders are shared by equal rules of every app."""

    _builders: ClassVar[dict[tuple, Callable[..., Any]]] = {}

    def _compile_builder(self, append_unknown: bool = True) -> Callable[..., Any]:
        defaults = tuple(sorted((key, repr(value)) for key, value in (self.defaults or {}).items()))
        converters = tuple(
            sorted((name, type(converter).__name__) for name, converter in self._converters.items())
        )
        key = (append_unknown, self.rule, tuple(self._trace), defaults, converters)
        builder = self._builders.get(key)
        if builder is None:
            builder = super()._compile_builder(append_unknown)
            self._builders[key] = builder
        return builder
