"""Decisions: record, preview and send plain summaries."""
