"""The phone menu: POST /twilio/voice and the steps below /twilio/voice/.

Everything the SMS menu gives, with only the keypad, in the caller's language and voice.
A call is one `Call` per step (app/calls/call.py); what each screen says is in
app/calls/screens.py, what each key does in app/calls/keys.py. A silent caller hears the
prompt once more, then how to reach the unit.
"""

from flask import Blueprint, Response, abort, request, send_from_directory
from twilio.twiml.voice_response import VoiceResponse

from app.calls.call import Call, number, stepped
from app.calls.keys import press
from app.calls.screens import render, screen_interpreter, screen_menu, screen_unknown, screen_whose
from app.models import CallbackRequest
from app.twilio_requests import form_value
from app.voice.recordings import AUDIO_TYPES, NAME, store
from app.voice.speech import can_speak
from app.words.languages import is_supported

bp = Blueprint("phone_menu", __name__)


@bp.post("/twilio/voice")
@stepped
def incoming(call: Call) -> VoiceResponse:
    """A call comes in: the menu in the caller's language (by Twilio's voice or recordings),
    or the way to an interpreter."""
    if call.sender.undecided:
        return screen_whose(call)
    if call.client is None:
        return screen_unknown(call)
    if not can_speak(call.language.code):
        return screen_interpreter(call, call.language.code)
    return screen_menu(call)


@bp.post("/twilio/voice/screen/<name>")
@stepped
def show(call: Call, name: str) -> VoiceResponse:
    """Say a screen again (after silence, 0 or *)."""
    return render(call, name, number(request.args.get("quiet")))


@bp.post("/twilio/voice/press/<name>")
@stepped
def pressed(call: Call, name: str) -> VoiceResponse:
    """A key pressed on a screen."""
    return press(call, name, form_value("Digits", 10).strip())


@bp.post("/twilio/voice/recorded")
@stepped
def recorded(call: Call) -> VoiceResponse:
    """A message for the case worker was recorded: attach it to the callback request."""
    callback_id = request.args.get("cb", "")
    request_ = call.session.get(CallbackRequest, number(callback_id))
    recording = form_value("RecordingUrl", 300)
    caller_id = call.client.id if call.client else None
    if (
        request_ is not None
        and request_.client_id == caller_id
        and recording.startswith("https://")
    ):
        request_.recording_url = recording
        call.session.add(request_)
    if call.client is None:
        return screen_unknown(call)
    return screen_menu(call, before=call.words("voice_recording", facts=call.facts(recorded=True)))


@bp.get("/recordings/<code>/<filename>")
def recording(code: str, filename: str) -> Response:
    """A recorded phrase, as Twilio's <Play> fetches it (app/voice/recordings.py). Public
    like the static files: phrases say nothing about any client. Cached for a day; the
    address changes when a phrase is recorded anew."""
    stem, dot, suffix = filename.rpartition(".")
    if not is_supported(code) or not NAME.match(stem) or f".{suffix}" not in AUDIO_TYPES:
        abort(404)
    # By name, whatever the format: a phrase recorded anew as MP3 instead of WAV during a
    # call still plays from the address the call was given.
    path = store().find(code, stem)
    if path is None:
        abort(404)
    response = send_from_directory(
        path.parent, path.name, mimetype=AUDIO_TYPES[path.suffix], max_age=86400
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
