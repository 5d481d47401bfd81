"""URL rules whose URL builders are compiled, and whose text is parsed, once per process.

Werkzeug compiles two small Python functions for every URL rule when it is added to an
app's map (building an AST and compiling it: about two thirds of building an app here),
and parses the rule's text into the parts it matches against. Both depend only on the
rule's text and the converters it names, never on the app, so every app built in one
process can share them: gunicorn workers build one app each, but the test suite builds
thousands. Each rule still gets converters of its own map.

It overrides Werkzeug's `Rule._compile_builder` and `Rule._parse_rule`, which are not
public API: Werkzeug is pinned in constraints.txt, and a change there fails every test
that matches or builds a URL.
"""

from collections.abc import Callable
from typing import Any, ClassVar

from werkzeug.routing import BaseConverter, Rule
from werkzeug.routing.rules import RulePart

# A parsed rule: its parts, what it adds to the rule's trace, and the converters it names
# (variable, converter, positional and keyword arguments).
_Parsed = tuple[tuple[RulePart, ...], tuple, tuple[tuple[str, str, tuple, dict], ...]]


class SharedBuilderRule(Rule):
    """A Rule whose compiled URL builders are shared by equal rules of every app."""

    _builders: ClassVar[dict[tuple, Callable[..., Any]]] = {}
    _parsed: ClassVar[dict[tuple, _Parsed]] = {}

    def _parse_rule(self, rule: str) -> list[RulePart]:
        assert self.map is not None, "rule not bound"
        key = (rule, tuple(self.map.converters.items()))
        found = self._parsed.get(key)
        if found is None:
            found = self._parsed[key] = self._parse_once(rule)
        else:
            _parts, trace, converters = found
            for variable, converter, args, kwargs in converters:
                self._converters[variable] = self.get_converter(variable, converter, args, kwargs)
                self.arguments.add(variable)
            self._trace.extend(trace)
        return list(found[0])

    def _parse_once(self, rule: str) -> _Parsed:
        """Werkzeug's parse, noting what it added to the trace and which converters."""
        start = len(self._trace)
        converters: list[tuple[str, str, tuple, dict]] = []
        get_converter = self.get_converter

        def noting(variable: str, converter: str, args: tuple, kwargs: Any) -> BaseConverter:
            converters.append((variable, converter, args, dict(kwargs)))
            return get_converter(variable, converter, args, kwargs)

        self.get_converter = noting  # type: ignore[method-assign,assignment]
        try:
            parts = tuple(super()._parse_rule(rule))
        finally:
            del self.get_converter
        return parts, tuple(self._trace[start:]), tuple(converters)

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
