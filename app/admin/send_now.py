"""Send now: any message kind to one client or a chosen group."""
