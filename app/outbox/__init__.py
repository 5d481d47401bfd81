"""The outbox: a message from being planned to being handed to the provider.

planner (what to send, to whom, when) -> sweep (claim what is due, compose, hand over) ->
delivery (the provider's reports). Everything between a record and the transport lives here."""
