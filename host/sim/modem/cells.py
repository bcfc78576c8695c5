"""Scripted radio cells for the modem simulator, and how each dialect reports them.

A `Cell` holds what a network would let a modem measure (identity and signal). A
`CellScript` is a list of stages, each a serving cell and its neighbours, advanced by the
number of uploads the badge has made (the simulator has no geography: a script stands in
for the collector moving through the city). The cells are written by us: plausible
China Mobile / China Unicom LTE cells in Shanghai, not measurements.

Report layouts, read from the manufacturers' manuals (not copied):
- SIMCom `AT+CPSI?` (SIM7600 manual, LTE): System Mode, Operation Mode, MCC-MNC, TAC (hex),
  SCellID (decimal ECI), PCellID, band, EARFCN, DL/UL bandwidth, RSRQ, RSRP, RSSI, RSSNR.
  The SIM7600 gives RSRQ/RSRP/RSSI in tenths of dB/dBm; the A7670 (real transcript in
  ../shared/data/at/lilygo) gives small indices instead, which `cpsi_quality` can carry.
- SIMCom `AT+CENG?` (engineering mode, LTE): one line per cell, the serving cell with
  TAC, cell id, MCC and MNC, neighbours with EARFCN, PCI and levels only.
- Quectel `AT+QENG="servingcell"` / `AT+QENG="neighbourcell"` (EC25 manual, LTE):
  cell id and TAC in hex, RSRP/RSRQ/RSSI in dBm/dB.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Cell:
    mcc: int
    mnc: int
    tac: int
    cell_id: int  # LTE ECI (28 bits: eNB id << 8 | sector)
    pci: int
    earfcn: int
    band: int
    rsrp_dbm: int
    rsrq_db: int
    rssi_dbm: int
    sinr_db: int
    mnc_digits: int = 2
    radio: str = "LTE"
    # The A7670's own quality fields (RSRQ, RSRP, RSSI, RSSNR) when a transcript is replayed.
    cpsi_quality: tuple[int, int, int, int] | None = None

    @property
    def plmn(self) -> str:
        return "%03d-%0*d" % (self.mcc, self.mnc_digits, self.mnc)

    @property
    def csq(self) -> int:
        """27.007 +CSQ <rssi>: 0 = -113 dBm or less, 31 = -51 dBm or more, 2 dB steps."""
        return max(0, min(31, (self.rssi_dbm + 113) // 2))


@dataclass(frozen=True)
class Stage:
    serving: Cell
    neighbours: tuple[Cell, ...] = ()


# Shanghai, China Unicom (460-01) and China Mobile (460-00): written by us.
DEFAULT_STAGES = (
    Stage(
        Cell(460, 1, 0x1816, 0x1A2B301, 310, 1650, 3, -85, -9, -58, 14),
        (
            Cell(460, 1, 0x1816, 0x1A2B302, 311, 1650, 3, -93, -12, -66, 6),
            Cell(460, 1, 0x1816, 0x1A2C101, 122, 1650, 3, -101, -15, -73, 1),
        ),
    ),
    Stage(
        Cell(460, 1, 0x1817, 0x1A2C102, 123, 1650, 3, -91, -10, -63, 9),
        (Cell(460, 1, 0x1816, 0x1A2C101, 122, 1650, 3, -97, -13, -70, 3),),
    ),
    Stage(
        Cell(460, 0, 0x5A1E, 0xB28A10C, 257, 38950, 40, -79, -8, -52, 19),
        (
            Cell(460, 0, 0x5A1E, 0xB28A10D, 258, 38950, 40, -88, -11, -61, 11),
            Cell(460, 0, 0x5A1F, 0xB28B201, 61, 38950, 40, -104, -16, -77, -2),
        ),
    ),
)


@dataclass
class CellScript:
    stages: tuple[Stage, ...] = DEFAULT_STAGES
    uploads_per_stage: int = 5
    uploads: int = field(default=0)

    def now(self) -> Stage:
        return self.stages[(self.uploads // self.uploads_per_stage) % len(self.stages)]

    def advance(self) -> None:
        self.uploads += 1


# --- SIMCom ---------------------------------------------------------------------------
def cpsi_line(cell: Cell, profile: str = "sim7600") -> str:
    if cell.cpsi_quality is not None:
        q = cell.cpsi_quality
    elif profile == "a7670":
        # 3GPP 36.133 report indices: RSRP_xx = dBm + 141, RSRQ_xx = 2 * (dB + 20)
        q = (2 * (cell.rsrq_db + 20), cell.rsrp_dbm + 141, cell.rssi_dbm + 110, cell.sinr_db)
    else:
        q = (10 * cell.rsrq_db, 10 * cell.rsrp_dbm, 10 * cell.rssi_dbm, cell.sinr_db)
    return "+CPSI: LTE,Online,%s,0x%04X,%d,%d,EUTRAN-BAND%d,%d,5,5,%d,%d,%d,%d" % (
        cell.plmn,
        cell.tac,
        cell.cell_id,
        cell.pci,
        cell.band,
        cell.earfcn,
        *q,
    )


def ceng_lines(stage: Stage) -> list[str]:
    s = stage.serving
    lines = ["+CENG: 1,%d,LTE" % (1 + len(stage.neighbours))]
    lines.append(
        '+CENG: 0,"%d,%d,%d,%d,%d,%d,%d,%d,%03d,%0*d,0"'
        % (
            s.earfcn,
            s.pci,
            s.rsrp_dbm,
            s.rssi_dbm,
            s.rsrq_db,
            s.sinr_db,
            s.tac,
            s.cell_id,
            s.mcc,
            s.mnc_digits,
            s.mnc,
        )
    )
    for i, n in enumerate(stage.neighbours, start=1):
        lines.append(
            '+CENG: %d,"%d,%d,%d,%d,%d,%d"'
            % (i, n.earfcn, n.pci, n.rsrp_dbm, n.rssi_dbm, n.rsrq_db, n.sinr_db)
        )
    return lines


# --- Quectel --------------------------------------------------------------------------
def qeng_serving_line(cell: Cell, state: str = "NOCONN") -> str:
    duplex = "TDD" if cell.band >= 33 else "FDD"
    srxlev = max(0, cell.rsrp_dbm + 140 - 20)
    return '+QENG: "servingcell","%s","LTE","%s",%03d,%0*d,%X,%d,%d,%d,3,3,%X,%d,%d,%d,%d,%d' % (
        state,
        duplex,
        cell.mcc,
        cell.mnc_digits,
        cell.mnc,
        cell.cell_id,
        cell.pci,
        cell.earfcn,
        cell.band,
        cell.tac,
        cell.rsrp_dbm,
        cell.rsrq_db,
        cell.rssi_dbm,
        cell.sinr_db,
        srxlev,
    )


def qeng_neighbour_lines(stage: Stage) -> list[str]:
    lines = []
    for n in stage.neighbours:
        kind = "intra" if n.earfcn == stage.serving.earfcn else "inter"
        srxlev = max(0, n.rsrp_dbm + 140 - 20)
        lines.append(
            '+QENG: "neighbourcell %s","LTE",%d,%d,%d,%d,%d,%d,%d,4,12,10,62'
            % (kind, n.earfcn, n.pci, n.rsrq_db, n.rsrp_dbm, n.rssi_dbm, n.sinr_db, srxlev)
        )
    return lines
