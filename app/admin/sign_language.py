"""Sign-language videos for the picture pages: administrators link one to a message kind's
pages, or one to every page, and remove them. Every change is audited. The rules (https
only, a known kind, a short title) are app/casework/sign_language.py's."""

from flask import abort, flash, redirect, render_template, request, url_for
from werkzeug.datastructures import MultiDict

from app.admin import bp
from app.admin.access import current_staff, record
from app.admin.auth import admin_only
from app.admin.forms import Form
from app.admin.labels import kind_label
from app.admin.words import _
from app.casework import sign_language
from app.db import get_session
from app.errors import InvalidInput
from app.models import EVERY_PAGE, SignVideo, SubjectType


def _kind_options() -> list[tuple[str, str]]:
    every = (EVERY_PAGE, _("Every page (and the overview)"))
    return [every] + [(kind, kind_label(kind)) for kind in sign_language.page_kinds()]


def _kind_name(kind: str) -> str:
    return _("Every page (and the overview)") if kind == EVERY_PAGE else kind_label(kind)


def _page(form: Form, status: int = 200):
    unit_id = current_staff().unit_id
    page = render_template(
        "admin/sign_language/index.html",
        form=form,
        kinds=_kind_options(),
        kind_name=_kind_name,
        videos=sign_language.of_unit(get_session(), unit_id),
    )
    return page, status


@bp.route("/sign-language", methods=["GET", "POST"])
@admin_only
def sign_language_videos():
    """The unit's sign-language videos, and the form that links one."""
    if request.method == "GET":
        return _page(Form(MultiDict({"kind": EVERY_PAGE})))
    form = Form()
    kind = form.choice("kind", [value for value, _label in _kind_options()])
    url = form.text("url", required=True, max_length=sign_language.MAX_URL_LENGTH)
    title = form.text("title", required=True, max_length=sign_language.MAX_TITLE_LENGTH)
    if url and "url" not in form.errors:  # every problem at once, not one per try
        try:
            sign_language.check_url(url)
        except InvalidInput as exc:
            form.absorb(exc)
    if not form.ok:
        return _page(form, 422)
    session = get_session()
    staff = current_staff()
    try:
        video, replaced = sign_language.save(
            session, staff.unit_id, kind=kind, url=url, title=title
        )
    except InvalidInput as exc:
        session.rollback()
        form.absorb(exc)
        return _page(form, 422)
    record("sign_video_saved", subject_type=SubjectType.UNIT, subject_id=staff.unit_id,
           detail=f"{video.kind or 'every page'}: {video.url}")  # fmt: skip
    session.commit()
    if replaced:
        flash(_("The video for %(kind)s is replaced.", kind=_kind_name(kind)))
    else:
        flash(_("The video for %(kind)s is saved.", kind=_kind_name(kind)))
    return redirect(url_for("admin.sign_language_videos"), 303)


@bp.route("/sign-language/<int:video_id>/remove", methods=["POST"])
@admin_only
def sign_language_remove(video_id: int):
    """Take a video off the pages at once."""
    session = get_session()
    video = session.get(SignVideo, video_id)
    if video is None or video.unit_id != current_staff().unit_id:
        abort(404)
    record("sign_video_removed", subject_type=SubjectType.UNIT, subject_id=video.unit_id,
           detail=f"{video.kind or 'every page'}: {video.url}")  # fmt: skip
    session.delete(video)
    session.commit()
    flash(_("The video for %(kind)s is removed.", kind=_kind_name(video.kind)))
    return redirect(url_for("admin.sign_language_videos"), 303)
