"""Handovers: hand clients to a colleague, for good or during an absence."""
