"""The voice channel in every language: recorded phrases joined together where Twilio has
no voice (and where a unit recorded its own), text-to-speech where it has one."""
