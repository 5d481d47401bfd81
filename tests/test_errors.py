"""Every message a domain error can show to staff is marked for the staff catalog, has
Swedish, and is shown in the staff language with its values (app/errors.py)."""

import ast
from pathlib import Path

import pytest

from app.admin.forms import staff_text
from app.config import PROJECT_ROOT
from app.errors import N_, InvalidInput, StaffMessage

APP = PROJECT_ROOT / "app"
# The API answers systems in English; its own errors never reach a staff page.
STAFF_FACING = [p for p in sorted(APP.rglob("*.py")) if "api" not in p.relative_to(APP).parts[:1]]
# Errors whose first argument is a message staff may see.
MESSAGE_ERRORS = {"InvalidPhoneNumber", "StaffMessage"}


def _name(node: ast.expr) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return ""


def _messages(tree: ast.AST):
    """Every expression that becomes a message of a domain error: the values of the dicts
    given to InvalidInput or assigned into `errors`, and the first argument of the errors
    that carry one message."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and _name(node.func) == "InvalidInput" and node.args:
            given = node.args[0]
            if isinstance(given, ast.Dict):
                yield from given.values
            elif isinstance(given, ast.DictComp):
                yield given.value
        elif isinstance(node, ast.Call) and _name(node.func) in MESSAGE_ERRORS and node.args:
            yield node.args[0]
        elif isinstance(node, ast.Assign):
            for target in node.targets:
                if isinstance(target, ast.Subscript) and _name(target.value) == "errors":
                    yield node.value


def _unmarked(expression: ast.expr | None) -> list[ast.expr]:
    """The parts of a message expression that are text not marked with N_()."""
    if expression is None:
        return []
    if isinstance(expression, (ast.Constant, ast.JoinedStr, ast.BinOp)):
        return [expression]
    if isinstance(expression, ast.IfExp):
        return _unmarked(expression.body) + _unmarked(expression.orelse)
    if isinstance(expression, ast.Call) and _name(expression.func) == "StaffMessage":
        return _unmarked(expression.args[0] if expression.args else None)
    if isinstance(expression, ast.Call) and _name(expression.func) == "N_":
        first = expression.args[0] if expression.args else None
        return [] if isinstance(first, ast.Constant) and isinstance(first.value, str) else [first]
    return []  # a name or a call: its text is checked where it is written


def test_every_message_a_domain_error_shows_to_staff_is_marked_for_translation():
    found = [
        f"{path.relative_to(PROJECT_ROOT)}:{node.lineno}: {ast.unparse(node)[:70]}"
        for path in STAFF_FACING
        for message in _messages(ast.parse(path.read_text("utf-8")))
        for node in _unmarked(message)
        if node is not None
    ]
    assert found == [], "mark with N_() (StaffMessage for values):\n" + "\n".join(found)


def _marked_in(path: Path) -> set[str]:
    tree = ast.parse(path.read_text("utf-8"))
    return {
        node.args[0].value
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and _name(node.func) == "N_"
        and node.args
        and isinstance(node.args[0], ast.Constant)
    }


def test_a_message_with_values_is_english_for_the_api_and_swedish_on_a_staff_page(app):
    message = StaffMessage(N_("Unknown documents: %(keys)s."), keys="kvitto, biljett")
    assert str(InvalidInput({"bring": message})) == "bring: Unknown documents: kvitto, biljett."
    with app.test_request_context():
        assert staff_text(message) == "Okända dokument: kvitto, biljett."
        assert staff_text(N_("The meeting must be in the future.")) == (
            "Mötet måste ligga framåt i tiden."
        )


@pytest.mark.parametrize(
    ("path", "english"),
    [
        ("app/casework/appointments.py", "The meeting must be in the future."),
        ("app/phone.py", "is not a phone number"),
    ],
)
def test_the_errors_staff_met_in_english_are_marked(path, english):
    assert any(english in text for text in _marked_in(PROJECT_ROOT / path))
