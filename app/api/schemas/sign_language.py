"""Sign-language videos, as the API takes and gives them (app/api/sign_language.py)."""

from typing import Annotated

from pydantic import Field

from app.api.schemas.common import Input, Line, Output


class SignVideoIn(Input):
    """One video: for the pages of one kind of message, or (kind empty) for every page."""

    kind: Annotated[str, Line(40)] = Field(
        default="", description="A kind from `kinds`; empty: every page and the overview"
    )
    url: Annotated[str, Line(500)] = Field(
        description="An https:// address with a plain host name: a page on your video "
        "service, or a video file (.mp4, .webm) that the page plays itself"
    )
    title: Annotated[str, Line(80)] = Field(
        description="What the video tells, in a few Swedish words, shown under the button"
    )


class SignVideosIn(Input):
    """Every video of the unit: kinds left out no longer show one."""

    videos: list[SignVideoIn] = Field(max_length=100)


class SignVideoOut(Output):
    """One video of the unit."""

    kind: str = Field(description="A message kind; empty: every page and the overview")
    url: str
    title: str
    plays_on_page: bool = Field(description="A video file the page plays (.mp4, .webm)")


class SignVideos(Output):
    """The kinds a video can be linked to (those with a picture page), and the unit's
    videos (the one for every page first)."""

    kinds: list[str]
    videos: list[SignVideoOut]
