"""Anti-cheat checks that run on the badge (receiver.py): what the GNSS receiver and the
modem report, judged before a check-in counts. The host repeats and extends them."""
