"""Domain errors that forms and the API turn into clear answers."""


class InvalidInput(ValueError):
    """Input that cannot be saved; `errors` maps each field to what is wrong with it."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(f"{field}: {message}" for field, message in errors.items()))
        self.errors = errors


def N_(text: str) -> str:  # the gettext convention for "translate where shown"
    """Mark a message for the staff catalog (locales/*/admin.po); shown translated."""
    return text
