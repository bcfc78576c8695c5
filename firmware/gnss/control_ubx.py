"""u-blox receivers: UBX commands for the M8 (message-based configuration) and the M10
(configuration keys), and the UBX-ACK-ACK / ACK-NAK answers read from the byte stream.

Frame (both generations; "u-blox 8 / u-blox M8 Receiver description", UBX-13003221,
"UBX frame structure" and "UBX checksum"): B5 62, class, id, payload length (U2, little
endian), payload, CK_A CK_B: the 8-bit Fletcher sum over class..payload.

M8 (UBX-13003221, UBX-CFG and UBX-RXM messages):
- CFG-MSG 06 01, 3-byte form (msgClass, msgID, rate on the port it arrives on); the NMEA
  messages are class F0, ids GGA 00 GLL 01 GSA 02 GSV 03 RMC 04 VTG 05 GST 07 ZDA 08;
- CFG-RATE 06 08: measRate ms (U2), navRate cycles (U2, 1), timeRef (U2, 1 = GPS time);
- CFG-RXM 06 11: reserved1 = 8, lpMode (0 continuous, 1 power save: the CFG-PM2 cycle);
- RXM-PMREQ 02 41, 8-byte form: duration ms (U4, 0 = until woken), flags (X4, bit 1 backup).
M10 ("u-blox M10 SPG 5.10 Interface description", UBX-21035062): CFG-MSG, CFG-RATE and
CFG-RXM are gone; CFG-VALSET 06 8A carries version 0, layers (bit 0 RAM), two reserved
bytes, then key (U4) / value pairs, the value's size given by the key's size bits
(0x2... one byte, 0x3... two bytes). Keys: CFG-MSGOUT-NMEA_ID_*_UART1, CFG-RATE-MEAS,
CFG-PM-OPERATEMODE (0 full power, 2 PSMCT cyclic tracking). RXM-PMREQ 16-byte form: version
0, 3 reserved, duration (U4), flags (X4: bit 1 backup, bit 2 force), wakeupSources (X4: bit
3 UART RX).
Waking either from backup: activity on the receiver's RX line; the first bytes are lost,
so wake() sends filler 0xFF bytes.
"""

from micropython import const

from gnss import control as c

_SYNC1 = const(0xB5)
_SYNC2 = const(0x62)
_CLS_ACK = const(0x05)
_CLS_CFG = const(0x06)
_CLS_RXM = const(0x02)
_CLS_NMEA = const(0xF0)
_ID_CFG_MSG = const(0x01)
_ID_CFG_RATE = const(0x08)
_ID_CFG_RXM = const(0x11)
_ID_CFG_VALSET = const(0x8A)
_ID_RXM_PMREQ = const(0x41)
_LAYER_RAM = const(0x01)
_KEY_RATE_MEAS = const(0x30210001)
_KEY_PM_OPERATEMODE = const(0x20D00001)
_PM_FULL = const(0)
_PM_PSMCT = const(2)

# OUT_* bit -> (M8 NMEA message id, M10 CFG-MSGOUT-NMEA_ID_xxx_UART1 key)
_NMEA = (
    (c.OUT_GGA, 0x00, 0x209100BB),
    (c.OUT_GLL, 0x01, 0x209100CA),
    (c.OUT_GSA, 0x02, 0x209100C0),
    (c.OUT_GSV, 0x03, 0x209100C5),
    (c.OUT_RMC, 0x04, 0x209100AC),
    (c.OUT_VTG, 0x05, 0x209100B1),
    (c.OUT_GST, 0x07, 0x209100D4),
    (c.OUT_ZDA, 0x08, 0x209100D9),
)
_WAKE = b"\xff" * 8


def fletcher8(data, start, end):
    """UBX checksum (CK_A, CK_B) over data[start:end]."""
    a = b = 0
    for i in range(start, end):
        a = (a + data[i]) & 0xFF
        b = (b + a) & 0xFF
    return a, b


class UbxFrame:
    """One UBX frame built in place in a preallocated buffer."""

    def __init__(self, size=64):
        self.buf = bytearray(size)
        self.mv = memoryview(self.buf)
        self.n = 0

    def begin(self, cls, msg_id):
        buf = self.buf
        buf[0] = _SYNC1
        buf[1] = _SYNC2
        buf[2] = cls
        buf[3] = msg_id
        self.n = 6

    def u1(self, v):
        self.buf[self.n] = v & 0xFF
        self.n += 1

    def u2(self, v):
        self.u1(v)
        self.u1(v >> 8)

    def u4(self, v):
        self.u2(v & 0xFFFF)
        self.u2(v >> 16)

    def finish(self):
        buf = self.buf
        length = self.n - 6
        buf[4] = length & 0xFF
        buf[5] = length >> 8
        a, b = fletcher8(buf, 2, self.n)
        buf[self.n] = a
        buf[self.n + 1] = b
        self.n += 2
        return self.mv[: self.n]


class _UbxControl(c.Control):
    def __init__(self, write):
        super().__init__(write)
        self._frame = UbxFrame()

    def wake(self):
        return self._send(_WAKE)


class UbxM8Control(_UbxControl):
    def msg_rate(self, cls, msg_id, rate):
        f = self._frame
        f.begin(_CLS_CFG, _ID_CFG_MSG)
        f.u1(cls)
        f.u1(msg_id)
        f.u1(rate)
        return self._send(f.finish())

    def set_output(self, mask):
        """One CFG-MSG per NMEA message (each answered by its own ACK)."""
        n = 0
        for bit, msg_id, _key in _NMEA:
            n += self.msg_rate(_CLS_NMEA, msg_id, 1 if mask & bit else 0)
        return n

    def set_rate(self, period_ms):
        f = self._frame
        f.begin(_CLS_CFG, _ID_CFG_RATE)
        f.u2(period_ms)
        f.u2(1)
        f.u2(1)
        return self._send(f.finish())

    def _lp_mode(self, mode):
        f = self._frame
        f.begin(_CLS_CFG, _ID_CFG_RXM)
        f.u1(8)
        f.u1(mode)
        return self._send(f.finish())

    def enter_power_save(self):
        return self._lp_mode(1)

    def leave_power_save(self):
        return self._lp_mode(0)

    def sleep(self):
        f = self._frame
        f.begin(_CLS_RXM, _ID_RXM_PMREQ)
        f.u4(0)
        f.u4(0x02)
        return self._send(f.finish())


class UbxM10Control(_UbxControl):
    def _valset_begin(self):
        f = self._frame
        f.begin(_CLS_CFG, _ID_CFG_VALSET)
        f.u1(0)
        f.u1(_LAYER_RAM)
        f.u2(0)
        return f

    def valset_u1(self, key, value):
        f = self._valset_begin()
        f.u4(key)
        f.u1(value)
        return self._send(f.finish())

    def set_output(self, mask):
        """One CFG-VALSET with the eight CFG-MSGOUT keys (one ACK)."""
        f = self._valset_begin()
        for bit, _msg_id, key in _NMEA:
            f.u4(key)
            f.u1(1 if mask & bit else 0)
        return self._send(f.finish())

    def set_rate(self, period_ms):
        f = self._valset_begin()
        f.u4(_KEY_RATE_MEAS)
        f.u2(period_ms)
        return self._send(f.finish())

    def enter_power_save(self):
        return self.valset_u1(_KEY_PM_OPERATEMODE, _PM_PSMCT)

    def leave_power_save(self):
        return self.valset_u1(_KEY_PM_OPERATEMODE, _PM_FULL)

    def sleep(self):
        f = self._frame
        f.begin(_CLS_RXM, _ID_RXM_PMREQ)
        f.u1(0)  # version
        f.u1(0)
        f.u2(0)  # reserved
        f.u4(0)  # duration: until woken
        f.u4(0x06)  # backup | force
        f.u4(0x08)  # wake on UART RX
        return self._send(f.finish())


# ---- UBX-ACK-ACK / ACK-NAK from the receiver's byte stream -------------------------------

_S_SYNC1 = const(0)
_S_SYNC2 = const(1)
_S_HEAD = const(2)  # class, id, length: 4 bytes
_S_BODY = const(3)  # payload, then CK_A CK_B
_MAX_LEN = const(1024)  # longer than any frame we expect: a false sync inside NMEA text


class UbxAckReader:
    """Finds UBX ACK frames in the bytes the receiver sends, NMEA and other UBX around them.

    `expect(cls, msg_id)` before sending a CFG command; `result` is then None until the
    receiver answers it: True for ACK-ACK, False for ACK-NAK. Other complete UBX frames are
    counted (`other_frames`), broken ones by reason (`bad_checksum`, `bad_length`).
    """

    def __init__(self):
        self._head = bytearray(4)
        self._body = bytearray(2)  # an ACK's payload: the acknowledged class and id
        self._ck_a = 0
        self._state = _S_SYNC1
        self._got = 0
        self._len = 0
        self._a = 0
        self._b = 0
        self.want_cls = -1
        self.want_id = -1
        self.result = None
        self.acks = 0
        self.naks = 0
        self.other_frames = 0
        self.bad_checksum = 0
        self.bad_length = 0

    def expect(self, cls, msg_id):
        self.want_cls = cls
        self.want_id = msg_id
        self.result = None

    def feed(self, data):
        for byte in data:
            self._byte(byte)

    def _byte(self, byte):
        state = self._state
        if state == _S_SYNC1:
            if byte == _SYNC1:
                self._state = _S_SYNC2
        elif state == _S_SYNC2:
            self._state = _S_HEAD if byte == _SYNC2 else (_S_SYNC2 if byte == _SYNC1 else _S_SYNC1)
            self._got = self._a = self._b = 0
        elif state == _S_HEAD:
            self._head[self._got] = byte
            self._got += 1
            self._a = (self._a + byte) & 0xFF
            self._b = (self._b + self._a) & 0xFF
            if self._got == 4:
                self._len = self._head[2] | self._head[3] << 8
                if self._len > _MAX_LEN:
                    self.bad_length += 1
                    self._state = _S_SYNC1
                else:
                    self._got = 0
                    self._state = _S_BODY
        else:
            got = self._got
            if got < self._len:
                self._a = (self._a + byte) & 0xFF
                self._b = (self._b + self._a) & 0xFF
                if got < 2:
                    self._body[got] = byte
            elif got == self._len:
                self._ck_a = byte
            else:
                self._end(self._ck_a == self._a and byte == self._b)
                return
            self._got = got + 1

    def _end(self, ok):
        self._state = _S_SYNC1
        if not ok:
            self.bad_checksum += 1
            return
        head = self._head
        if head[0] != _CLS_ACK or self._len != 2 or head[1] > 1:
            self.other_frames += 1
            return
        acked = head[1] == 1
        if acked:
            self.acks += 1
        else:
            self.naks += 1
        if self._body[0] == self.want_cls and self._body[1] == self.want_id:
            self.result = acked
