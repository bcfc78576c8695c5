"""AT-command driver of the cellular modem (SIMCom SIM7600/A7670 first, Quectel second).

Not built yet: issue 4 builds it, including an uplink with the same
`post(path, body) -> (status, dict)` interface as badge.http.HttpUplink.
"""
