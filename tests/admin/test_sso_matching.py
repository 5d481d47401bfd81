"""Reading the provider's claims (app/admin/sso_matching.py): the shapes Entra ID,
Keycloak and others send them in."""

from app.admin.sso_matching import claim, claim_text, claim_values, display_name


def test_a_dotted_name_reaches_into_nested_claims():
    claims = {"realm_access": {"roles": ["tydligt-admins"]}}
    assert claim(claims, "realm_access.roles") == ["tydligt-admins"]
    assert claim(claims, "realm_access.groups") is None
    assert claim(claims, "") is None


def test_a_claim_named_with_dots_is_taken_whole_first():
    name = "http://schemas.microsoft.com/ws/2008/06/identity/claims/role"
    assert claim({name: "Admin"}, name) == "Admin"


def test_values_come_from_lists_or_text_in_any_letter_case():
    assert claim_values({"roles": ["A", " b ", 3]}, "roles") == {"a", "b"}
    assert claim_values({"roles": "A, b c"}, "roles") == {"a", "b", "c"}
    assert claim_values({"roles": {"a": 1}}, "roles") == set()


def test_a_text_claim_is_the_first_of_a_list_stripped():
    assert claim_text({"department": ["", " Ekby LSS "]}, "department") == "Ekby LSS"
    assert claim_text({"department": 12}, "department") == ""


def test_a_name_is_made_of_what_the_provider_sends():
    assert display_name({"name": "Nils Ny"}, "n@ekby.example") == "Nils Ny"
    assert display_name({"given_name": "Nils"}, "n@ekby.example") == "Nils"
    assert display_name({}, "nils.ny@ekby.example") == "nils.ny"
