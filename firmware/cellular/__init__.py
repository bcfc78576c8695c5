"""AT-command driver of the cellular modem (issue 4): SIMCom SIM7600/A7670 first, Quectel
BG96/EC25 second, behind one interface. Runs under MicroPython and CPython.

Layers (bottom up):
- `at.AtChannel(stream)`: the only owner of the modem UART. One command at a time, each
  with its own timeout; final result codes decoded (`OK`, `ERROR`, `+CME ERROR: n|text`,
  `+CMS ERROR: n`) into `at.AtError` with `.kind` (a noun: "cme", "cms", "error",
  "timeout") and `.code`/`.reason` from `cme_reasons.CME_REASONS`; intermediate lines
  collected; the `>`/`DOWNLOAD`/`CONNECT` data prompts; URCs dispatched to listeners
  whenever they arrive, mid-response included; lines reassembled across read chunks; echo
  dropped; garbage logged with the raw line and counted (`garbage_lines`).
  The stream: `readinto(buf) -> n | None` (None or 0: nothing waiting) and `write(data)`.
- `simcom.SimcomDialect` / `quectel.QuectelDialect`: the commands of each family and the
  decoding of their answers (registration, `+CSQ` -> dBm, `+CCLK` -> UTC seconds, cells).
- `modem.Modem`: power-up, SIM, registration, PDP context, retry with backoff, and a state
  the firmware reads (`modem.state`: "off", "searching", "registered", "data_ready",
  "sleeping", "failed"; `modem.reason` says why when failed).
- `modem.ModemUplink`: the uplink the uploader already uses (badge.http.HttpUplink's
  interface): `post(path, body) -> (status, dict)`; raises OSError on a transport failure
  (no network, `+HTTPACTION: 1,603,0`, 7xx, timeout), which the uploader retries with
  backoff; a host answer (2xx/4xx/5xx) comes back as its status and its JSON body ({} when
  the body is not JSON).
- `observe.CellReporter`: when `batch_size - 3` records are pending, the fix loop
  (badge.app.FixRecorder._append, outside the uploader) asks the modem for the serving and
  neighbour cells and appends one kind-4 record each (wire.record.CELL_FMT), so they ride
  in the batch about to be uploaded.

Connection on the unix port (firmware/badge/unix_main.py -> board.unix):
  --modem tcp:HOST:PORT      a TCP socket to the modem simulator (host/sim/modem*)
  --modem /dev/pts/N         or a pty path (opened read/write, raw bytes)
  --modem-dialect simcom|quectel   (default simcom)
  --apn NAME                 PDP context APN (default "internet")
  --host http://HOST:PORT    the URL the modem's HTTP stack posts to (base + /api/v1/batches)
With --modem the uplink is the modem; without it, plain HTTP over sockets (badge.http).
Power on the unix port: closing and reopening the link is the PWRKEY power cycle (the
simulator boots a fresh module: RDY, echo on); the first connection is the first power-on.
A pty must already be raw (the simulator sets it).
On the ESP32 (board.esp32) the modem sits on UART1 with PWRKEY and DTR pins.

AT sequence, SIMCom (each line is one round trip; `->` the awaited answer):
  bring-up, once per power cycle (Modem.start):
    AT                      -> OK (repeated until the module answers: it boots ~12 s)
    ATE0                    -> OK (echo tolerated until then)
    AT+CMEE=1               -> OK (numeric +CME ERROR codes)
    AT+CPIN?                -> +CPIN: READY (CME 14 "SIM busy": retried; 10: SIM absent)
    AT+CEREG? / AT+CREG?    -> stat 1 home or 5 roaming (0/2 searching, 3 denied: failed)
    AT+CGDCONT=1,"IP","APN" -> OK
    AT+CGACT=1,1            -> OK (PDP context active: state data_ready)
    AT+HTTPINIT             -> OK (kept across uploads; ERROR: AT+HTTPTERM, AT+HTTPINIT)
    AT+HTTPPARA="URL","http://HOST:PORT/api/v1/batches"        -> OK   (set once)
    AT+HTTPPARA="CONTENT","application/octet-stream"           -> OK   (set once)
  cell observations, from the badge loop before a batch is due (CellReporter):
    AT+CPSI?                -> +CPSI: LTE,Online,460-00,0x1816,27447553,...  serving cell
    (SIMCom neighbours, AT+CENG?: not decoded yet, layouts differ between firmwares)
  each upload (ModemUplink.post), 3 round trips:
    AT+HTTPDATA=<len>,10000 -> DOWNLOAD, then the <len> body bytes raw -> OK
    AT+HTTPACTION=1         -> OK, later the URC +HTTPACTION: 1,<status>,<length>
    AT+HTTPREAD=0,<length>  -> OK, +HTTPREAD: <n>, <n> raw bytes, +HTTPREAD: 0
  (the URL is set once; it is set again only after HTTPINIT was redone.)
Quectel (BG96/EC25): AT+QICSGP=1,1,"APN",...  AT+QIACT=1  AT+QHTTPCFG="contextid",1
  AT+QHTTPCFG="contenttype",2 (application/octet-stream)  AT+QHTTPURL=<n>,80 -> CONNECT,
  URL -> OK
  (once); each upload: AT+QHTTPPOST=<len>,80,80 -> CONNECT, body -> OK, then URC
  +QHTTPPOST: <err>,<status>,<length>; AT+QHTTPREAD=80 -> CONNECT, body, OK, +QHTTPREAD: 0.
  Cells: AT+QENG="servingcell", AT+QENG="neighbourcell" (LTE neighbours carry only
  EARFCN+PCI, no cell identity: counted, not reported).
Sleep between uploads: DTR high + AT+CSCLK=1 (SIMCom) / AT+QSCLK=1 (Quectel); DTR low to
wake. PSM (AT+CPSMS=1,...) only when configured and the network grants it (+CEREG's
Active-Time present).
"""
