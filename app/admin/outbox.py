"""Outbox: every planned and sent message, retry and cancel."""
