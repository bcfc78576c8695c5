"""A cellular modem simulator (issue 4): SIMCom and Quectel AT dialects, scripted cells,
HTTP forwarded to the host on loopback, and faults injected on demand.

  core.py      the state machine both dialects share: framing, echo, timers, faults
  commands.py  V.25ter / 27.007 commands (SIM, registration, CSQ, CCLK, PDP)
  simcom.py    SIM7600 / A7670: AT+CPSI?, AT+CENG?, AT+HTTP*, AT+CRESET
  quectel.py   BG96 / EC25: AT+QENG, AT+QHTTP*, AT+QIACT
  cells.py     scripted serving and neighbour cells and how each dialect prints them
  faults.py    which fault hits which upload attempt (rate with a seed, or scripted)
  forward.py   the POST to the host on loopback
  channel.py   the UART's other end: TCP on loopback or a pty
  server.py    ModemServer: a thread running one modem for the badge
"""
