"""Texts in: the SMS webhook stores each text, reads it, and answers inside the same
request (keywords, menu numbers, or a person reads it)."""
