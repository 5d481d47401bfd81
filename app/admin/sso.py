"""Single sign-on with the municipality's identity provider (OpenID Connect, through
Authlib): the authorization code flow with PKCE (S256), state and nonce, the provider's
keys and endpoints from its discovery document, and the ID token's signature, issuer,
audience and expiry checked by the library. Who the person is in Tydligt is decided in
app/admin/sso_matching.py; the sign-in ends in auth.start_session(…, "sso").

Tydligt asks no second factor of its own here: the provider does that."""

import logging
import time
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlencode

import requests

# Authlib ships no type information (no py.typed) and has no maintained stubs; pyproject's
# override for such packages is the lead's to extend.
from authlib.integrations.base_client import (  # type: ignore[import-untyped]
    MismatchingStateError,
    OAuthError,
)
from authlib.integrations.flask_client import OAuth  # type: ignore[import-untyped]
from flask import (
    Response,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from joserfc.errors import JoseError

from app.admin import auth, bp
from app.admin.access import current_staff, record
from app.admin.sso_matching import Refusal, Rules, match
from app.admin.words import N_, _, staff_language
from app.db import get_session
from app.models import StaffUser, SubjectType

log = logging.getLogger(__name__)

CLIENT_NAME = "municipality"
FLOW_SECONDS = 10 * 60  # from the button to the way back: a sign-in, not a coffee break
PROVIDER_TIMEOUT_SECONDS = 10
FLOW_KEY = "sso_flow"
SIGNED_IN_BY_SSO = "signed_in_by_sso"

# The provider's redirects come back without a Tydligt session; the flow has its own checks.
auth.PUBLIC_ENDPOINTS.update({"admin.sso_start", "admin.sso_callback"})

# What each problem page says: (heading, what to do), staff words.
PROBLEMS = {
    "unknown": (
        N_("Tydligt has no account for you"),
        N_(
            "You signed in at your organisation as %(address)s, but nobody has added that "
            "address to Tydligt. Ask an administrator of your unit in Tydligt to add you."
        ),
    ),
    "deactivated": (
        N_("Your account in Tydligt is turned off"),
        N_("Ask an administrator of your unit in Tydligt if you should have access again."),
    ),
    "unverified": (
        N_("Your e-mail address is not confirmed"),
        N_(
            "Your organisation's sign-in service says that %(address)s is not confirmed. Ask "
            "your IT support to confirm it, then try again."
        ),
    ),
    "taken": (
        N_("Another person's sign-in is linked to this account"),
        N_(
            "The account for %(address)s in Tydligt belongs to another person at your "
            "organisation's sign-in service. Ask an administrator of your unit in Tydligt."
        ),
    ),
    "no_address": (
        N_("Your sign-in service did not say who you are"),
        N_(
            "It sent no e-mail address for you. Ask your IT support to send the e-mail "
            "address to Tydligt."
        ),
    ),
    "unknown_unit": (
        N_("Your unit is not in Tydligt"),
        N_(
            "Your organisation's sign-in service names a unit that Tydligt does not have. Ask "
            "an administrator of your unit in Tydligt."
        ),
    ),
    "cancelled": (
        N_("Signing in was cancelled"),
        N_("You did not finish signing in at your organisation's sign-in service."),
    ),
    "expired": (
        N_("Signing in took too long"),
        N_(
            "Or it was started in another window. Nothing happened. Start again from the "
            "sign-in page."
        ),
    ),
    "failed": (
        N_("Signing in did not work"),
        N_(
            "Your organisation's sign-in service did not give a valid answer. Try again. If "
            "it happens again, tell your IT support."
        ),
    ),
    "unreachable": (
        N_("The sign-in service cannot be reached"),
        N_("Try again in a few minutes. If it goes on, tell your IT support."),
    ),
    "password_off": (
        N_("Sign in with your work account"),
        N_("Signing in with a password is turned off here."),
    ),
}


def enabled() -> bool:
    """Whether single sign-on is configured (OIDC_ISSUER)."""
    return bool(current_app.config["OIDC_ISSUER"])


def password_sign_in() -> bool:
    """Whether the e-mail and password form is offered: always without single sign-on, and
    beside it unless OIDC_PASSWORD_SIGN_IN is false."""
    return not enabled() or bool(current_app.config["OIDC_PASSWORD_SIGN_IN"])


def _client() -> Any:
    """The app's OpenID Connect client, made on first use; Authlib keeps the discovery
    document and keys it fetched (and fetches the keys again for an unknown key id)."""
    oauth = current_app.extensions.get("tydligt.oidc")
    if oauth is None:
        config = current_app.config
        oauth = OAuth(current_app)
        oauth.register(
            CLIENT_NAME,
            client_id=config["OIDC_CLIENT_ID"],
            client_secret=config["OIDC_CLIENT_SECRET"],
            server_metadata_url=f"{config['OIDC_ISSUER']}/.well-known/openid-configuration",
            client_kwargs={
                "scope": config["OIDC_SCOPES"],
                "code_challenge_method": "S256",
                "token_endpoint_auth_method": "client_secret_basic",
                "default_timeout": PROVIDER_TIMEOUT_SECONDS,
            },
        )
        current_app.extensions["tydligt.oidc"] = oauth
    return oauth.create_client(CLIENT_NAME)


def redirect_uri() -> str:
    """Where the provider sends the browser back: register this address at the provider."""
    return current_app.config["PUBLIC_BASE_URL"] + url_for("admin.sso_callback")


def _problem(kind: str, status: int, address: str = ""):
    heading, text = PROBLEMS[kind]
    return (
        render_template(
            "admin/sso/problem.html",
            kind=kind,
            heading=heading,
            text=text,
            address=address,
            password_sign_in=password_sign_in(),
        ),
        status,
    )


@bp.context_processor
def _sign_in_choices() -> dict:
    """What the sign-in page offers."""
    return {"single_sign_on": enabled(), "password_sign_in": password_sign_in()}


@bp.before_request
def _refuse_passwords_when_off():
    """With OIDC_PASSWORD_SIGN_IN=false a password sent to the form is not even checked."""
    if request.endpoint == "admin.login" and request.method == "POST" and not password_sign_in():
        return _problem("password_off", 403)
    return None


@bp.before_request
def _note_sign_out_at_provider():
    """Whether this sign-out goes on to the provider, noted before the session is emptied."""
    if request.endpoint == "admin.logout" and request.method == "POST":
        g.sso_sign_out = (
            enabled()
            and current_app.config["OIDC_LOGOUT_AT_PROVIDER"]
            and bool(session.get(SIGNED_IN_BY_SSO))
        )


@bp.after_request
def _sign_out_at_provider(response: Response) -> Response:
    """After Tydligt's own sign-out (app/admin/auth.py), with OIDC_LOGOUT_AT_PROVIDER: on to
    the provider's end_session_endpoint (RP-initiated logout), which sends the browser back
    to the sign-in page. A provider without one, or out of reach, leaves Tydligt's sign-out
    as it is."""
    if not g.get("sso_sign_out") or response.status_code not in (302, 303):
        return response
    try:
        endpoint = _client().load_server_metadata().get("end_session_endpoint")
    except (requests.RequestException, ValueError) as error:
        log.warning("No sign-out at the identity provider: %s", type(error).__name__)
        return response
    if endpoint:
        query = urlencode(
            {
                "client_id": current_app.config["OIDC_CLIENT_ID"],
                "post_logout_redirect_uri": current_app.config["PUBLIC_BASE_URL"]
                + url_for("admin.login"),
                "ui_locales": staff_language(),
            }
        )
        response.location = f"{endpoint}{'&' if '?' in endpoint else '?'}{query}"
    return response


@bp.route("/sso/start")
def sso_start():
    """Send the browser to the provider, with a fresh state, nonce and PKCE verifier kept
    in this browser's session."""
    if not enabled():
        abort(404)
    if g.staff is not None:
        return redirect(auth.safe_next(request.args.get("next")))
    client = _client()
    try:
        metadata = client.load_server_metadata()
    except (requests.RequestException, ValueError) as error:
        log.warning("The identity provider's discovery document failed: %s", type(error).__name__)
        return _problem("unreachable", 503)
    if str(metadata.get("issuer", "")).rstrip("/") != current_app.config["OIDC_ISSUER"]:
        # OpenID Connect Discovery 4.3: a document naming another issuer is not this one's
        # (OIDC_ISSUER is read without a final slash; some providers' issuers end in one).
        log.error("The discovery document names another issuer than OIDC_ISSUER")
        return _problem("failed", 502)
    # One sign-in at a time per browser: Authlib keeps each flow's state in the cookie and
    # forgets an abandoned one only when another finishes, so a few abandoned flows would
    # outgrow the cookie.
    for key in [key for key in session if key.startswith(f"_state_{CLIENT_NAME}_")]:
        session.pop(key)
    session[FLOW_KEY] = {"started": time.time(), "next": auth.safe_next(request.args.get("next"))}
    return client.authorize_redirect(redirect_uri(), ui_locales=staff_language())


def _claims(client: Any, token: Mapping[str, Any]) -> dict | None:
    """The ID token's verified claims, with what the userinfo endpoint adds (providers
    that conform strictly send the e-mail there only); None when the answers disagree."""
    claims = dict(token["userinfo"])
    if client.load_server_metadata().get("userinfo_endpoint"):
        more = client.userinfo(token=token)
        if more.get("sub") != claims["sub"]:  # OpenID Connect Core 5.3.2
            return None
        claims = dict(more) | claims
    return claims


def _verified_claims() -> dict | str:
    """The person's claims from a finished flow, or which problem page to show."""
    flow = session.pop(FLOW_KEY, None)
    error = request.args.get("error")
    if error:
        log.info("The identity provider answered with an error: %s", error[:40])
        return "cancelled" if error in ("access_denied", "login_required") else "failed"
    if not isinstance(flow, dict) or time.time() - flow.get("started", 0) > FLOW_SECONDS:
        return "expired"
    client = _client()
    try:
        token = client.authorize_access_token()
        if not token.get("userinfo"):  # no ID token: this is not OpenID Connect
            return "failed"
        claims = _claims(client, token)
    except MismatchingStateError:
        return "expired"
    except requests.RequestException as error:
        log.warning("The identity provider could not be reached: %s", type(error).__name__)
        return "unreachable"
    except (OAuthError, JoseError, ValueError, KeyError) as error:
        log.warning("The identity provider's answer was refused: %s", type(error).__name__)
        return "failed"
    if claims is None:
        return "failed"
    claims["_next"] = flow.get("next")
    return claims


@bp.route("/sso/callback")
def sso_callback():
    """The provider's answer: the person signed in, or a page saying why not and what to do."""
    if not enabled():
        abort(404)
    claims = _verified_claims()
    if isinstance(claims, str):
        return _problem(claims, 503 if claims == "unreachable" else 400)
    target = auth.safe_next(claims.pop("_next", None))
    db = get_session()
    found = match(db, Rules.from_config(current_app.config), claims)
    if isinstance(found, Refusal):
        db.commit()  # the refusal's audit row
        return _problem(found.reason, 403, found.address)
    auth.start_session(db, found, "sso")
    db.commit()
    session[SIGNED_IN_BY_SSO] = True  # for signing out at the provider too
    return redirect(target)


@bp.route("/staff/<int:staff_id>/sso/unlink", methods=["POST"])
@auth.admin_only
def staff_sso_unlink(staff_id: int):
    """Forget which person at the provider a colleague's account belongs to (their account
    there was made anew): the next sign-in links by e-mail address again. Audited."""
    db = get_session()
    staff = db.get(StaffUser, staff_id)
    if staff is None or staff.unit_id != current_staff().unit_id:
        abort(404)
    if staff.sso_subject:
        staff.sso_issuer = staff.sso_subject = None
        db.add(staff)
        record("sso_unlinked", subject_type=SubjectType.STAFF, subject_id=staff.id)
        db.commit()
        flash(_("The work account of %(name)s is unlinked.", name=staff.name))
    return redirect(url_for("admin.staff_account_edit", staff_id=staff.id))
