"""Decoding of modem answers: real transcripts (../shared/data/at) and the AT manuals'
documented layouts. Lines marked "ours" were written by us from the manuals' field
descriptions (no openly licensed capture exists, see ../shared/data/README.md)."""

import fwtest
from cellular.cells_quectel import qeng_neighbour, qeng_serving
from cellular.cells_simcom import cpsi_cell
from cellular.info import cclk_utc, csq_dbm
from cellular.parse import reg_stat, registered, stat_name
from cellular.quectel import qhttp_result
from cellular.simcom import http_action


def _transcript_line(rel, needle):
    for line in fwtest.read_lines(fwtest.data_path(rel)):
        if needle in line:
            return line.strip()
    raise AssertionError("%s not in %s" % (needle, rel))


def test_csq_to_dbm_27007_table():
    # 27.007 8.5: 0 -> -113 dBm or less, 31 -> -51 or more, 2 dB steps, 99 unknown
    assert csq_dbm(b"+CSQ: 0,99") == -113
    assert csq_dbm(b"+CSQ: 1,99") == -111
    assert csq_dbm(b"+CSQ: 31,99") == -51
    assert csq_dbm(b"+CSQ: 99,99") is None


def test_csq_real_ec25():
    line = _transcript_line("at/thejbte_cellular_modem/quectel_ec25_bg96_responses.txt",
                            b"GSQ_RESPONSE")
    assert b"+CSQ: 28,99" in line
    assert csq_dbm(b"+CSQ: 28,99") == -57  # -113 + 2 * 28


def test_registration_real_transcripts():
    line = _transcript_line("at/lilygo/a7670g_boot_register_mqtt_session.md", b"+CEREG: 0,")
    assert reg_stat(line) == 1 and registered(1)
    assert reg_stat(b"+CREG: 0,1") == 1  # EC25, thejbte CM_CMD_MOCK_CREG_RESPONSE
    assert reg_stat(b"+CEREG: 5", read=False) == 5 and registered(5)
    assert reg_stat(b'+CEREG: 2,"7764","0702C215",7', read=False) == 2
    assert reg_stat(b"+CGREG: 0,3") == 3 and stat_name(3) == "denied"
    assert not registered(0) and not registered(2) and not registered(3)


def test_cclk_quarter_hour_zone():
    # SIM7600 manual's example, +08 quarters = UTC+2 h: 2014-01-01 02:14:36 local is
    # 2014-01-01 00:14:36 UTC = 1388535276
    assert cclk_utc(b'+CCLK: "14/01/01,02:14:36+08"', min_year=2000) == 1388535276
    # ours: -20 quarters = UTC-5 h: 2024-03-09 16:15:02 local = 21:15:02 UTC = 1710018902
    assert cclk_utc(b'+CCLK: "24/03/09,16:15:02-20"') == 1710018902
    assert cclk_utc(b'+CCLK: "80/01/06,00:00:12+00"') is None  # never set by the network
    assert cclk_utc(b'+CCLK: "garbage"') is None


def test_cpsi_lte_real_a7670():
    line = _transcript_line("at/lilygo/a7670g_boot_register_mqtt_session.md", b"+CPSI: LTE")
    radio, role, mcc, mnc, digits, dbm, tac, cid, arfcn = cpsi_cell(line)
    assert (radio, role, mcc, mnc, digits) == (3, 0, 460, 11, 2)
    assert tac == 0x7764 == 30564
    assert cid == 117148181 and arfcn == 100
    # RSRP field 53 read as the 36.133 report index: 53 - 141 = -88 dBm (our reading)
    assert dbm == -88


def test_cpsi_gsm_and_no_service_ours():
    cell = cpsi_cell(b"+CPSI: GSM,Online,460-00,0x182d,12401,27 EGSM900,-64,2110,42-42")
    assert cell == (1, 0, 460, 0, 2, -64, 6189, 12401, 27)
    assert cpsi_cell(b"+CPSI: NO SERVICE,Online") is None
    # tenths of dBm (-1035) -> -103 dBm; 3-digit MNC
    cell = cpsi_cell(b"+CPSI: LTE,Online,310-410,0x1A2B,26396674,101,EUTRAN-BAND2,900,"
                     b"5,5,-101,-1035,-742,10")
    assert cell[3:6] == (410, 3, -103)


def test_httpaction_with_and_without_space():
    assert http_action(b"+HTTPACTION:0,200,7438") == (0, 200, 7438)  # issue 4
    assert http_action(b"+HTTPACTION: 1,603,0") == (1, 603, 0)
    assert http_action(b"+HTTPACTION: 1,714,0") == (1, 714, 0)
    assert http_action(b"+HTTPACTION: 1") is None


def test_qeng_serving_and_neighbours_ours():
    lte = (b'+QENG: "servingcell","NOCONN","LTE","FDD",460,00,1A2D001,1,100,1,5,5,2D8,'
           b"-98,-10,-70,12,36")
    assert qeng_serving(lte) == (3, 0, 460, 0, 2, -98, 728, 27447297, 100)
    gsm = b'+QENG: "neighbourcell","GSM",460,00,550B,2F72,9,75,-78,-1,-1,-1,-1'
    assert qeng_neighbour(gsm) == (1, 1, 460, 0, 2, -78, 21771, 12146, 75)
    intra = b'+QENG: "neighbourcell intra","LTE",100,276,-3,-88,-65,0,37,7,16,6,44'
    assert qeng_neighbour(intra) is None  # PCI only: no cell identity


def test_qhttp_results():
    assert qhttp_result(b"+QHTTPPOST: 0,200,177") == (0, 200, 177)
    assert qhttp_result(b"+QHTTPPOST: 702") == (702, 0, 0)


def test_negative_or_missing_http_length_is_unreadable():
    # The manuals define <length>/<content_length> as the body's byte count (>= 0); a
    # negative one would drive the raw read of the answer backwards, so it is unreadable.
    assert http_action(b"+HTTPACTION: 1,200,-5") is None
    assert qhttp_result(b"+QHTTPPOST: 0,200,-5") is None
    assert qhttp_result(b"+QHTTPPOST: 0,200") == (0, 200, 0)  # no body announced
    assert qhttp_result(b"+QHTTPPOST: -1") is None
    assert qhttp_result(b"+QHTTPPOST:") is None
