"""Quectel cell decoding: AT+QENG lines -> cell tuples in wire.record.CELL_FMT order. Cold
code: the dialect imports it while reading cells and unloads it after.

AT+QENG="servingcell" layouts (after "servingcell",<state>,<rat>):
  LTE/CAT-M/NBIoT: is_tdd,MCC,MNC,cellID(hex),PCID,EARFCN,band,ulbw,dlbw,TAC(hex),RSRP,...
  GSM:   MCC,MNC,LAC(hex),cellID(hex),BSIC,ARFCN,band,RxLev(dBm),...
  WCDMA: MCC,MNC,LAC(hex),cellID(hex),UARFCN,PSC,RAC,RSCP(dBm),...
AT+QENG="neighbourcell": GSM neighbours carry MCC,MNC,LAC,cellID,BSIC,ARFCN,RxLev and are
reported; LTE neighbours carry only EARFCN and PCI (no cell identity): counted in
`neighbours_without_id`, not reported.
"""

from cellular.cells_simcom import (
    ARFCN_UNKNOWN,
    RADIO_GSM,
    RADIO_LTE,
    RADIO_NBIOT,
    RADIO_UMTS,
    SIGNAL_UNKNOWN,
    lte_dbm,
)
from cellular.parse import fields


def _hex(text):
    try:
        return int(text, 16)
    except ValueError:
        return None


def _dec(text):
    try:
        return int(text)
    except ValueError:
        return None


def _dbm(v):
    return v if v is not None and -140 < v < 0 else SIGNAL_UNKNOWN


def _arfcn(v):
    return v if v is not None and 0 <= v < ARFCN_UNKNOWN else ARFCN_UNKNOWN


def _digits(mnc_text):
    return 3 if len(mnc_text) == 3 else 2


def qeng_serving(line):
    """+QENG: "servingcell",... -> cell tuple (wire.record.CELL_FMT order) or None."""
    f = fields(line)
    if len(f) < 4 or f[0] != "servingcell":
        return None
    rat = f[2].upper()
    if rat in ("LTE", "CAT-M", "EMTC", "NBIOT", "NB-IOT"):
        if len(f) < 14:
            return None
        mcc, mnc, cid, tac = _dec(f[4]), _dec(f[5]), _hex(f[6]), _hex(f[12])
        radio = RADIO_NBIOT if rat.startswith("NB") else RADIO_LTE
        return _cell(radio, 0, mcc, mnc, _digits(f[5]), lte_dbm(_dec(f[13])), tac, cid,
                     _dec(f[8]))
    if rat == "GSM" and len(f) >= 11:
        return _cell(RADIO_GSM, 0, _dec(f[3]), _dec(f[4]), _digits(f[4]), _dbm(_dec(f[10])),
                     _hex(f[5]), _hex(f[6]), _dec(f[8]))
    if rat == "WCDMA" and len(f) >= 11:
        return _cell(RADIO_UMTS, 0, _dec(f[3]), _dec(f[4]), _digits(f[4]), _dbm(_dec(f[10])),
                     _hex(f[5]), _hex(f[6]), _dec(f[7]))
    return None


def qeng_neighbour(line):
    """+QENG: "neighbourcell","GSM",MCC,MNC,LAC,cellID,BSIC,ARFCN,RxLev,... -> cell tuple;
    None for neighbours without a cell identity (LTE intra/inter: EARFCN and PCI only)."""
    f = fields(line)
    if len(f) >= 9 and f[0] == "neighbourcell" and f[1].upper() == "GSM":
        return _cell(RADIO_GSM, 1, _dec(f[2]), _dec(f[3]), _digits(f[3]), _dbm(_dec(f[8])),
                     _hex(f[4]), _hex(f[5]), _dec(f[7]))
    return None


def _cell(radio, role, mcc, mnc, digits, dbm, area, cid, arfcn):
    if None in (mcc, mnc, area, cid):
        return None
    return (radio, role, mcc, mnc, digits, dbm, area, cid, _arfcn(arfcn))
