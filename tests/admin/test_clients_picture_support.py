"""The client form says what picture support does, in the staff language."""

from tests.admin.conftest import sign_in

HELP_EN = (
    "The client's own texts start with the link to the picture page, where every message "
    "has pictures and can be read aloud. Copies to representatives stay as they are."
)
HELP_SV = (
    "Klientens egna sms börjar med länken till bildsidan, där varje meddelande har bilder "
    "och kan läsas upp. Kopior till företrädare ändras inte."
)


def test_the_client_form_explains_what_picture_support_does(as_caseworker, sara):
    for url in ("/admin/clients/new", f"/admin/clients/{sara.id}/edit"):
        page = as_caseworker.get(url).get_data(as_text=True)
        assert HELP_EN in page


def test_the_help_is_in_swedish_for_swedish_staff(client, caseworker):
    sign_in(client, caseworker, language="sv")
    assert HELP_SV in client.get("/admin/clients/new").get_data(as_text=True)
