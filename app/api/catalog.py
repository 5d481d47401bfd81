"""The catalog of keys the API takes: languages, meeting purposes, documents, application
types, services, reasons and next steps (from messages/catalog/*.toml)."""

from pathlib import Path

from flask import current_app

from app.api.operations import operation
from app.api.schemas import ApplicationEntry, Catalog, CatalogEntry, LanguageEntry
from app.casework import catalog as catalogs
from app.casework.decisions import SCOPE_UNITS
from app.words.languages import languages


def _entries(name: str) -> list[CatalogEntry]:
    directory = Path(current_app.config["MESSAGES_DIR"]) / "catalog"
    return [
        CatalogEntry(key=key, name=entry.get("name") or entry.get("sentence") or key)
        for key, entry in catalogs.entries(directory, name).items()
    ]


def _applications() -> list[ApplicationEntry]:
    directory = Path(current_app.config["MESSAGES_DIR"]) / "catalog"
    return [
        ApplicationEntry(
            key=key, name=entry.get("name") or key, documents=list(entry.get("documents", []))
        )
        for key, entry in catalogs.entries(directory, "applications").items()
    ]


@operation(
    "GET",
    "/catalog",
    summary="Every key the API takes",
    tag="Catalog",
    responses={200: (Catalog, "The keys, with their Swedish wording")},
)
def catalog():
    """The languages clients can have, and the keys for meeting purposes, documents,
    application types (with the documents each asks for), services, reasons for a refusal,
    next steps after a handover, why a document is sent back, why granted support starts
    later, and the units a decision's extent is counted in. Map your system's values onto
    these keys."""
    return Catalog(
        languages=[
            LanguageEntry(code=lang.code, name=lang.native_name, english_name=lang.english_name)
            for lang in languages()
        ],
        purposes=_entries("purposes"),
        documents=_entries("documents"),
        applications=_applications(),
        services=_entries("services"),
        reasons=_entries("reasons"),
        next_steps=_entries("next_steps"),
        paper_problems=_entries("paper_problems"),
        delays=_entries("delays"),
        scope_units=list(SCOPE_UNITS),
    ), 200
