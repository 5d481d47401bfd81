"""Clients: search, register, edit, representatives and the timeline."""
