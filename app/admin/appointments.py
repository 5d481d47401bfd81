"""Appointments: plan, change and cancel meetings."""
