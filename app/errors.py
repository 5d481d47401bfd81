"""Domain errors that forms and the API turn into clear answers.

Every message a domain error carries is an English msgid marked with N_(), so the staff
pages show it in the staff language (app/admin/forms.py) and the API in English. A message
with variables is a StaffMessage: the msgid and its values, filled in only where shown.
"""


def N_(text: str) -> str:  # the gettext convention for "translate where shown"
    """Mark a message for the staff catalog (locales/*/admin.po); shown translated."""
    return text


class StaffMessage(str):
    """A marked message with %(name)s variables: as a string, the English text filled in
    (what the API and logs show); `msgid` and `variables` let a staff page translate it
    first and fill it in after."""

    msgid: str
    variables: dict[str, object]

    def __new__(cls, msgid: str, **variables: object) -> "StaffMessage":
        text = super().__new__(cls, msgid % variables if variables else msgid)
        text.msgid = msgid
        text.variables = variables
        return text


class InvalidInput(ValueError):
    """Input that cannot be saved; `errors` maps each field to what is wrong with it."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(f"{field}: {message}" for field, message in errors.items()))
        self.errors = errors
