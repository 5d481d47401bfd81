"""What the API takes and gives, as pydantic models: the one source for validating
requests and for the OpenAPI document (app/api/openapi.py).

Inputs forbid unknown fields and take JSON types strictly ("60" is not a number). The
rules of the domain (a meeting in the future, a known document …) stay in the domain
modules; these models check shape, types and sizes, so nothing malformed reaches them.
"""

from app.api.schemas.applications import (
    ApplicationDelayIn,
    ApplicationIn,
    ApplicationList,
    ApplicationOut,
    ApplicationStepIn,
)
from app.api.schemas.casework import (
    AppointmentIn,
    AppointmentOut,
    AttendanceIn,
    ChecklistIn,
    ChecklistItemOut,
    ChecklistOut,
    DecisionIn,
    DecisionOut,
    HandoverIn,
    HandoverOut,
    ReceivedIn,
    SendBackIn,
    SubjectMessage,
)
from app.api.schemas.common import SOURCE_ID_PATTERN, Input, Output
from app.api.schemas.feeds import (
    ApplicationEntry,
    CallbackItem,
    CallbackPage,
    Catalog,
    CatalogEntry,
    InboundItem,
    InboundPage,
    LanguageEntry,
    OutboxItem,
    OutboxPage,
    ProblemDetails,
    Subject,
)
from app.api.schemas.people import (
    ClientIn,
    ClientOut,
    ClosedClientOut,
    RepresentativeIn,
    RepresentativeOut,
    StillOpen,
)

__all__ = [
    "SOURCE_ID_PATTERN",
    "ApplicationDelayIn",
    "ApplicationIn",
    "ApplicationList",
    "ApplicationOut",
    "ApplicationStepIn",
    "AppointmentIn",
    "AppointmentOut",
    "ApplicationEntry",
    "AttendanceIn",
    "CallbackItem",
    "CallbackPage",
    "Catalog",
    "CatalogEntry",
    "ChecklistIn",
    "ChecklistItemOut",
    "ChecklistOut",
    "ClientIn",
    "ClientOut",
    "ClosedClientOut",
    "StillOpen",
    "DecisionIn",
    "DecisionOut",
    "HandoverIn",
    "HandoverOut",
    "InboundItem",
    "InboundPage",
    "Input",
    "LanguageEntry",
    "Output",
    "OutboxItem",
    "OutboxPage",
    "ProblemDetails",
    "ReceivedIn",
    "SendBackIn",
    "RepresentativeIn",
    "RepresentativeOut",
    "Subject",
    "SubjectMessage",
]
