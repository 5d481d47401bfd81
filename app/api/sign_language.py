"""The key's unit's sign-language videos for the picture pages: read them, or set the
whole list at once (the rules are app/casework/sign_language.py's)."""

from app.api import problems, resources
from app.api.auth import caller
from app.api.operations import operation
from app.api.problems import field_error, pointer
from app.api.schemas.sign_language import SignVideoOut, SignVideos, SignVideosIn
from app.casework import sign_language
from app.db import get_session
from app.errors import InvalidInput

TAG = "Sign language"


def _listed(unit_id: int) -> SignVideos:
    return SignVideos(
        kinds=sign_language.page_kinds(),
        videos=[
            SignVideoOut(
                kind=video.kind,
                url=video.url,
                title=video.title,
                plays_on_page=sign_language.media_type(video.url) is not None,
            )
            for video in sign_language.of_unit(get_session(), unit_id)
        ],
    )


@operation(
    "GET",
    "/sign-language-videos",
    summary="The unit's sign-language videos",
    tag=TAG,
    responses={200: (SignVideos, "The kinds a video can show on, and the unit's videos")},
)
def sign_language_videos_get():
    """The videos in sign language your unit links to the picture pages. A message page
    shows the video for its kind, or else the one for every page (kind empty); the overview
    shows the one for every page. A video file (.mp4, .webm) plays on the page; any other
    address opens from a "Se på teckenspråk" button."""
    return _listed(caller().unit_id), 200


@operation(
    "PUT",
    "/sign-language-videos",
    summary="Set the unit's sign-language videos",
    tag=TAG,
    body=SignVideosIn,
    responses={200: (SignVideos, "The unit's videos now")},
)
def sign_language_videos_put(body: SignVideosIn):
    """Set every video your unit links: at most one per kind, and one for every page
    (kind empty). Kinds you leave out are no longer shown a video. Each change is in the
    audit log."""
    session = get_session()
    who = caller()
    errors: list[dict] = []
    kinds = [video.kind for video in body.videos]
    for index, video in enumerate(body.videos):
        if kinds.index(video.kind) != index:
            errors.append(field_error(pointer(("videos", index, "kind")), "Give each kind once."))
            continue
        try:
            saved, _replaced = sign_language.save(
                session, who.unit_id, kind=video.kind, url=video.url, title=video.title
            )
        except InvalidInput as exc:
            errors += [
                field_error(pointer(("videos", index, name)), message)
                for name, message in exc.errors.items()
            ]
        else:
            who.record(session, "sign_video_saved", subject_type="unit", subject_id=who.unit_id,
                       detail=f"{saved.kind or 'every page'}: {saved.url}")  # fmt: skip
    if errors:
        session.rollback()
        raise problems.invalid(errors)
    with resources.writing(session):
        for old in sign_language.of_unit(session, who.unit_id):
            if old.kind not in kinds:
                who.record(session, "sign_video_removed", subject_type="unit",
                           subject_id=who.unit_id,
                           detail=f"{old.kind or 'every page'}: {old.url}")  # fmt: skip
                session.delete(old)
        session.commit()
    return _listed(who.unit_id), 200
