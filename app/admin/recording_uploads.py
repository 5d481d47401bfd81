"""Uploading and deleting the phone's recordings (administrators): a file is kept only
under a name the phone needs, and only once a caller can hear it (app/voice/audio.py);
what is wrong is said next to its row on the language's page. Every change is audited
with the language and the recording's name: a recording holds no client data.
"""

from pathlib import Path

from babel.numbers import format_decimal
from flask import abort, flash, g, redirect, render_template, request, url_for
from werkzeug.exceptions import RequestEntityTooLarge

from app.admin import bp
from app.admin.access import current_staff, is_admin, record
from app.admin.auth import admin_only
from app.admin.forms import Form, staff_text
from app.admin.labels import language_label
from app.admin.recordings import (
    UPLOAD_LIMIT,
    group_key,
    language_or_404,
    language_page,
    player,
)
from app.admin.words import _, staff_language
from app.db import get_session
from app.models import Unit
from app.voice import audio, inventory, names
from app.voice.inventory import Needed
from app.voice.kit import unit_names
from app.voice.recordings import AUDIO_TYPES, NAME, store
from app.words.languages import language_codes

# The app's body limit for forms and webhooks (256 KB) is raised for the upload route only.
_BODY_LIMIT = UPLOAD_LIMIT + 64 * 1024


@bp.before_app_request
def _room_for_a_recording() -> None:
    """Let the upload route's body be a recording's size (before the form is read)."""
    if request.endpoint == "admin.recordings_upload":
        request.max_content_length = _BODY_LIMIT


@bp.errorhandler(RequestEntityTooLarge)
def _too_large(error: RequestEntityTooLarge):
    """A recording too large to upload: said on the language's page, not as an error page."""
    code = (request.view_args or {}).get("code", "")
    if request.endpoint == "admin.recordings_upload" and g.get("staff") and is_admin():
        if code in language_codes():
            flash(_too_large_message(), "error")
            return redirect(url_for("admin.recordings_language", code=code), 303)
    return render_template("admin/error.html", error=error, expired=False), 413


def _too_large_message() -> str:
    return _(
        "The file is larger than %(most)s MB. One phrase is a few seconds: save only the "
        "phrase, as MP3 or WAV.",
        most=UPLOAD_LIMIT // (1024 * 1024),
    )


def _back(code: str, anchor: str = ""):
    """To the language's page as it was: the same heading and filter."""
    show = "missing" if request.form.get("show") == "missing" else None
    group = request.form.get("group") or None
    target = url_for("admin.recordings_language", code=code, group=group, show=show)
    return redirect(target + (f"#{anchor}" if anchor else ""), 303)


@bp.route("/recordings/<code>/upload", methods=["POST"])
@admin_only
def recordings_upload(code: str):
    """Keep an uploaded recording under a needed name, after checking that a caller can
    hear it (app/voice/audio.py); what is wrong is said next to its row."""
    language_or_404(code)
    name = request.form.get("name", "")
    wanted = {item.name: item for item in inventory.needed(code, unit_names())}
    item = wanted.get(name)
    if item is None or not NAME.match(name):
        flash(_("No recording by that name is needed in %(language)s: nothing was saved.",
                language=language_label(code)), "error")  # fmt: skip
        return _back(code)
    if not _may_change(name):
        flash(_("Only that unit's administrators may record its name: nothing was saved."),
              "error")  # fmt: skip
        return _back(code)
    problem, info = _checked(item)
    if problem:
        form = Form({})
        form.fail(name, problem)
        return language_page(code, form, 422, group=group_key(item))
    assert info is not None
    store().save(code, name, info[1], f".{info[0].format}")
    record("recording_uploaded", detail=f"{code}: {name}")
    get_session().commit()
    flash(_("Saved %(name)s: %(seconds)s seconds. Listen to it below.", name=name,
            seconds=format_decimal(info[0].seconds, "0.0", locale=staff_language())))  # fmt: skip
    return _back(code, f"rec-{name}")


def _may_change(name: str) -> bool:
    """Phrases are the installation's (every unit's administrators keep them); a unit's
    name is its own: only its administrators record or delete it."""
    if not name.startswith("unit-"):
        return True
    unit = get_session().get(Unit, current_staff().unit_id)
    return unit is not None and name == names.unit(unit.sender_name)


def _checked(item: Needed) -> tuple[str, tuple[audio.AudioInfo, bytes] | None]:
    """What is wrong with the uploaded file for this recording ("" when nothing), and the
    file's audio and bytes when it may be kept."""
    if not item.text:
        return _("This phrase has no translation yet: it can be recorded once it has."), None
    upload = request.files.get("recording")
    if upload is None or not upload.filename:
        return _("Choose a file to upload."), None
    data = upload.stream.read(UPLOAD_LIMIT + 1)
    if len(data) > UPLOAD_LIMIT:
        return _too_large_message(), None
    suffix = Path(upload.filename).suffix.lower()
    if suffix not in AUDIO_TYPES:
        return _("Upload the recording as an MP3 or WAV file."), None
    try:
        info = audio.inspect(data, suffix)
    except audio.AudioProblem as problem:
        return staff_text(problem.message), None
    return "", (info, data)


@bp.route("/recordings/<code>/delete", methods=["POST"])
@admin_only
def recordings_delete(code: str):
    """Delete a recording, after a confirmation: callers then get what they got before it
    (the Twilio voice, or the interpreter offer where the language has none)."""
    language = language_or_404(code)
    name = request.form.get("name", "")
    path = store().find(code, name) if NAME.match(name) else None
    if path is None:
        abort(404)
    if not _may_change(name):
        abort(403)
    if request.form.get("confirm") != "yes":
        item = next((i for i in inventory.needed(code, unit_names()) if i.name == name), None)
        return render_template("admin/recordings/delete.html", language=language, name=name,
                               item=item, path=path, player=player(code, path),
                               show=request.form.get("show", ""),
                               group=request.form.get("group", ""))  # fmt: skip
    store().delete(code, name)
    record("recording_deleted", detail=f"{code}: {name}")
    get_session().commit()
    flash(_("Deleted the recording %(name)s.", name=name))
    return _back(code)
