"""WiFi access-point observations (BSSID + RSSI, shaped like network.WLAN.scan).

Not built yet: a later issue builds it (positions from three sources, DESIGN.md step 1).
"""
