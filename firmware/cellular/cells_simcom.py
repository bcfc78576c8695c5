"""SIMCom cell decoding: AT+CPSI? lines -> cell tuples in wire.record.CELL_FMT order
(radio, role, mcc, mnc, mnc_digits, signal_dbm, lac_tac, cell_id, arfcn). Cold code: the
dialect imports it while reading cells and unloads it after.

+CPSI layouts (SIM7600 / A7670 AT manual, AT+CPSI?):
  LTE:   mode,op,MCC-MNC,TAC(hex),SCellID(ECI),PCI,band,EARFCN,dlbw,ulbw,RSRQ,RSRP,RSSI,SNR
  GSM:   mode,op,MCC-MNC,LAC(hex),CellID,"ARFCN band",RxLev(dBm),TrackLO,C1-C2
  WCDMA: mode,op,MCC-MNC,LAC(hex),CellID,band,PSC,UARFCN,SSC,EcIo,RSCP,Qual,RxLev,TxPwr
  NR5G_SA: mode,op,MCC-MNC,TAC(hex),NCI,PCI,band,NR-ARFCN,RSRP,RSRQ,SNR
"""

from micropython import const

from cellular.parse import fields

RADIO_GSM = const(1)
RADIO_UMTS = const(2)
RADIO_LTE = const(3)
RADIO_NBIOT = const(4)
RADIO_NR = const(5)
SIGNAL_UNKNOWN = const(-32768)
ARFCN_UNKNOWN = const(65535)


def _num(text):
    """'0x7764' -> 30564, '117148181' -> 117148181, '27 EGSM900' -> 27; None if not a number."""
    text = text.strip().split(" ")[0]
    try:
        if text[:2] in ("0x", "0X"):
            return int(text[2:], 16)
        return int(text)
    except ValueError:
        return None


def lte_dbm(value):
    """An LTE/NR RSRP as modems print it -> dBm: tenths of dBm (-1035), dBm (-103), or the
    3GPP TS 36.133 report index 0..97 (dBm = index - 141)."""
    if value is None:
        return SIGNAL_UNKNOWN
    if value < -200:
        return -((-value) // 10)
    if value < 0:
        return value
    if value <= 97:
        return value - 141
    return SIGNAL_UNKNOWN


def plmn(text):
    """'460-11' -> (460, 11, 2); '310-410' -> (310, 410, 3)."""
    mcc, _, mnc = text.partition("-")
    a, b = _num(mcc), _num(mnc)
    if a is None or b is None:
        return None
    return a, b, 3 if len(mnc.strip()) == 3 else 2


def cpsi_cell(line):
    """+CPSI line -> cell tuple in wire.record.CELL_FMT order (radio, role=0, mcc, mnc,
    mnc_digits, signal_dbm, lac_tac, cell_id, arfcn); None without service or unparsable."""
    f = fields(line)
    if len(f) < 5:
        return None
    mode = f[0].upper()
    p = plmn(f[2])
    area, cid = _num(f[3]), _num(f[4])
    if p is None or area is None or cid is None:
        return None
    if mode in ("LTE", "CAT-M", "CAT-M1"):
        radio, arfcn, sig = RADIO_LTE, 7, 11
    elif mode in ("NB-IOT", "NBIOT"):
        radio, arfcn, sig = RADIO_NBIOT, 7, 11
    elif mode.startswith("NR5G"):
        radio, arfcn, sig = RADIO_NR, 7, 8
    elif mode == "GSM":
        radio, arfcn, sig = RADIO_GSM, 5, 6
    elif mode == "WCDMA":
        radio, arfcn, sig = RADIO_UMTS, 7, 10
    else:
        return None
    a = _num(f[arfcn]) if len(f) > arfcn else None
    s = _num(f[sig]) if len(f) > sig else None
    if radio in (RADIO_LTE, RADIO_NBIOT, RADIO_NR):
        dbm = lte_dbm(s)
    else:
        dbm = s if s is not None and -140 < s < 0 else SIGNAL_UNKNOWN
    return (radio, 0, p[0], p[1], p[2], dbm, area, cid,
            a if a is not None and 0 <= a < ARFCN_UNKNOWN else ARFCN_UNKNOWN)
