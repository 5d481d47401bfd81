"""Inbox: what clients sent, answering and marking handled."""
