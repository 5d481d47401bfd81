"""Casework: the records case workers keep (clients, representatives, meetings, papers,
decisions, handovers, callbacks, their own words) and what each one plans to send.

A record module changes its rows and asks the planner in `app.outbox` for the messages the
change brings; it never sends anything itself."""
