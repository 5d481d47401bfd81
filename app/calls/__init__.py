"""Calls: the phone menu a client calls, and the reminder calls we place."""
