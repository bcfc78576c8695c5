"""Host-side NMEA log tools behind `visitproof nmea`: inspect (summary) and replay (to a port)."""
