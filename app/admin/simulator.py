"""The phone simulator: text and call the app as a demo client (development only)."""
