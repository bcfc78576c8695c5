"""Simulation: stand-ins for the radio hardware we do not have (a GNSS receiver replaying a
real log, later the modem), the badge process on the MicroPython unix port, and the demo."""
