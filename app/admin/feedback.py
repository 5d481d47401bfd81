"""Feedback: the after-meeting survey's anonymous results."""
