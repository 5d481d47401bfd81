"""Compiled templates shared by every app in one process.

Jinja compiles a template to Python the first time an environment renders it. Every app
has its own environments (one per language for messages and for pages, and Flask's own for
the staff pages), so without this each app built in a process compiles the same templates
again: the test suite builds thousands of apps. Jinja's bytecode cache keeps the compiled
code keyed by the template's name and file, and checks a hash of the source before using
it, so a changed template is compiled afresh. A namespace keeps apart environments whose
settings compile the same source differently (HTML pages escape, texts do not).
"""

from typing import ClassVar

from jinja2.bccache import Bucket, BytecodeCache


class SharedBytecodeCache(BytecodeCache):
    """An in-memory bytecode cache shared by every environment with the same namespace."""

    _compiled: ClassVar[dict[str, bytes]] = {}

    def __init__(self, namespace: str) -> None:
        self.namespace = namespace

    def load_bytecode(self, bucket: Bucket) -> None:
        """Give the bucket the compiled code kept for its template, if any (Jinja then
        checks it against the source's hash)."""
        data = self._compiled.get(f"{self.namespace}:{bucket.key}")
        if data is not None:
            bucket.bytecode_from_string(data)

    def dump_bytecode(self, bucket: Bucket) -> None:
        """Keep the code Jinja just compiled."""
        self._compiled[f"{self.namespace}:{bucket.key}"] = bucket.bytecode_to_string()
