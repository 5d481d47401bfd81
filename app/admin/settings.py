"""Settings: the unit's sender, numbers, hours and language review."""
