"""Sign-language videos a unit links to the picture pages: one per message kind, or one
for every page. The page shows the link (and plays a video file itself); the videos live
on the unit's own video service, never here."""

from datetime import datetime

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from app.models.base import UTCDateTime, utcnow

# The `kind` of the video shown on every page that has none of its own, and on the overview.
EVERY_PAGE = ""


class SignVideo(SQLModel, table=True):
    """A sign-language video for one message kind's pages (or every page) of one unit."""

    __tablename__ = "sign_video"
    __table_args__ = (UniqueConstraint("unit_id", "kind", name="uq_sign_video_unit_kind"),)

    id: int | None = Field(default=None, primary_key=True)
    unit_id: int = Field(foreign_key="unit.id", index=True)
    kind: str = Field(
        default=EVERY_PAGE, max_length=40, description="A message kind; empty: every page"
    )
    url: str = Field(max_length=500, description="An https address: a page or a video file")
    title: str = Field(max_length=80, description="What the video tells, in a few words")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
