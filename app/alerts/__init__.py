"""E-mail alerts to staff about what waits on their Today: `collect` (what is new for a
person, asked of Today's own queries), `schedule` (at once or digests, working time,
urgent), `mail` (the mail, by SMTP or to the console) and `deliveries` (the worker's
round: remembered per item, claimed per person, retried after SMTP failures)."""
