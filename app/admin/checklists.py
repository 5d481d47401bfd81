"""Checklists: ask for documents and tick what has arrived."""
