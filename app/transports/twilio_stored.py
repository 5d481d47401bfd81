"""What Twilio keeps of our messages: finding it by the ids and URLs Twilio gave us, so
retention can delete it there and staff can open pictures and recordings through the app.

Only Twilio's own addresses are ever asked, rebuilt from the ids in a stored URL: the
account's credentials never go to another host, whatever a stored URL says.
"""

import re

import requests
from twilio.http.http_client import TwilioHttpClient
from twilio.http.response import Response
from twilio.rest import Client

from app.models.messaging import ProviderItem

API = "https://api.twilio.com/2010-04-01"
MESSAGE_SID = re.compile(r"(?:SM|MM)[0-9a-f]{32}")
CALL_SID = re.compile(r"CA[0-9a-f]{32}")
MEDIA_URL = re.compile(
    r"https://api(?:\.[a-z0-9-]+)*\.twilio\.com/2010-04-01/Accounts/(AC[0-9a-f]{32})"
    r"/Messages/((?:SM|MM)[0-9a-f]{32})/Media/(ME[0-9a-f]{32})(?:\.json)?"
)
RECORDING_URL = re.compile(
    r"https://api(?:\.[a-z0-9-]+)*\.twilio\.com/2010-04-01/Accounts/(AC[0-9a-f]{32})"
    r"/Recordings/(RE[0-9a-f]{32})(?:\.(?:json|mp3|wav))?"
)
FILE_TIMEOUT = 20  # seconds: a staff member is waiting for the page


def resource(client: Client, item: str, ref: str):
    """The twilio library's handle on what Twilio keeps of one item (it has .delete()),
    or None when `ref` names nothing Twilio keeps (an id the console or a test made)."""
    if item == ProviderItem.MESSAGE and MESSAGE_SID.fullmatch(ref):
        return client.messages(ref)
    if item == ProviderItem.CALL and CALL_SID.fullmatch(ref):
        return client.calls(ref)
    if item == ProviderItem.MEDIA and (found := MEDIA_URL.fullmatch(ref)):
        account, message, media = found.groups()
        return client.api.v2010.accounts(account).messages(message).media(media)
    if item == ProviderItem.RECORDING and (found := RECORDING_URL.fullmatch(ref)):
        account, recording = found.groups()
        return client.api.v2010.accounts(account).recordings(recording)
    return None


def file_url(item: str, ref: str) -> str | None:
    """Where Twilio serves the file itself (a recording as MP3), or None for a URL that is
    not one of Twilio's media or recording addresses."""
    if item == ProviderItem.MEDIA and (found := MEDIA_URL.fullmatch(ref)):
        account, message, media = found.groups()
        return f"{API}/Accounts/{account}/Messages/{message}/Media/{media}"
    if item == ProviderItem.RECORDING and (found := RECORDING_URL.fullmatch(ref)):
        account, recording = found.groups()
        return f"{API}/Accounts/{account}/Recordings/{recording}.mp3"
    return None


class FileHttpClient(TwilioHttpClient):
    """Twilio's HTTP client, but an answer keeps its bytes: the library's own client
    decodes every answer as text, which spoils pictures and recordings. Used only to fetch
    files; Twilio sends them from another host after a redirect, and requests drops the
    credentials when the host changes."""

    def request(
        self,
        method: str,
        url: str,
        params: dict | None = None,
        data: dict | None = None,
        headers: dict | None = None,
        auth: tuple[str, str] | None = None,
        timeout: float | None = None,
        allow_redirects: bool = False,
    ) -> Response:
        """One request; the Response's content is the answer's bytes."""
        session = self.session or requests.Session()
        answer = session.request(
            method.upper(),
            url,
            params=params,
            data=data,
            headers=headers,
            auth=auth,
            hooks=self.request_hooks,
            timeout=timeout or self.timeout or FILE_TIMEOUT,
            allow_redirects=allow_redirects,
            proxies=self.proxy or None,
        )
        return Response(answer.status_code, answer.content, answer.headers)
