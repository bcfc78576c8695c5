"""SHA-512 and Ed25519 against FIPS 180 and RFC 8032 vectors, the protocol golden vector,
and the key store. Runs under CPython (pytest) and micropython -X heapsize=100K (mprun.py).

Vectors: SHA-512 examples of FIPS 180-2 appendix C / NIST "SHA512.pdf" ("abc", the empty
string, the 896-bit two-block message); Ed25519 from RFC 8032 section 7.1 (TEST 1, 2, 3,
1024 and SHA(abc)); docs/vectors/protocol-v1.json from tools/make_vectors.py.
"""

import os
from binascii import hexlify, unhexlify

import fwtest
from sign import ed25519, keystore
from sign.ed25519 import SigningKey, verify
from sign.sha512 import SHA512, sha512


def h(s):
    return unhexlify(s.replace(" ", ""))


# -- SHA-512 ---------------------------------------------------------------------------

SHA512_ABC = (
    "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a"
    "2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f"
)
SHA512_EMPTY = (
    "cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce"
    "47d0d13c5d85f2b0ff8318d2877eec2f63b931bd47417a81a538327af927da3e"
)
MSG_896 = (
    b"abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmno"
    b"ijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu"
)
SHA512_896 = (
    "8e959b75dae313da8cf4f72814fc143f8f7779c6eb9f7fa17299aeadb6889018"
    "501d289e4900f7e4331b99dec4b5433ac7d329eeb6dd26545e96e55b874be909"
)


def test_sha512_fips_abc():
    assert hexlify(sha512(b"abc")).decode() == SHA512_ABC


def test_sha512_fips_empty():
    assert hexlify(sha512(b"")).decode() == SHA512_EMPTY


def test_sha512_fips_896_bit_two_blocks():
    assert len(MSG_896) == 112  # 896 bits: the padding needs a second block
    assert hexlify(sha512(MSG_896)).decode() == SHA512_896


def test_sha512_streaming_in_odd_pieces_matches_one_shot():
    msg = MSG_896 * 3  # 336 bytes: pieces straddle block boundaries
    for step in (1, 7, 111, 128, 129):
        s = SHA512()
        for i in range(0, len(msg), step):
            s.update(msg[i : i + step])
        assert s.digest() == sha512(msg)
    s = SHA512(b"ab")
    s.update(b"c")
    assert hexlify(s.digest()).decode() == SHA512_ABC
    assert hexlify(s.digest()).decode() == SHA512_ABC  # digest() does not consume


# -- Ed25519 constants ------------------------------------------------------------------


def test_curve_constants_match_their_definitions():
    p = ed25519.P
    assert p == 2**255 - 19
    assert ed25519.D == -121665 * pow(121666, p - 2, p) % p
    assert ed25519.D2 == 2 * ed25519.D % p
    assert ed25519.SQRT_M1 == pow(2, (p - 1) // 4, p)
    assert ed25519.SQRT_M1 * ed25519.SQRT_M1 % p == p - 1
    assert ed25519.L == 2**252 + 27742317777372353535851937790883648493


# -- RFC 8032 section 7.1 ---------------------------------------------------------------

MSG_1024 = (
    "08b8b2b733424243760fe426a4b54908632110a66c2f6591eabd3345e3e4eb98"
    "fa6e264bf09efe12ee50f8f54e9f77b1e355f6c50544e23fb1433ddf73be84d8"
    "79de7c0046dc4996d9e773f4bc9efe5738829adb26c81b37c93a1b270b20329d"
    "658675fc6ea534e0810a4432826bf58c941efb65d57a338bbd2e26640f89ffbc"
    "1a858efcb8550ee3a5e1998bd177e93a7363c344fe6b199ee5d02e82d522c4fe"
    "ba15452f80288a821a579116ec6dad2b3b310da903401aa62100ab5d1a36553e"
    "06203b33890cc9b832f79ef80560ccb9a39ce767967ed628c6ad573cb116dbef"
    "efd75499da96bd68a8a97b928a8bbc103b6621fcde2beca1231d206be6cd9ec7"
    "aff6f6c94fcd7204ed3455c68c83f4a41da4af2b74ef5c53f1d8ac70bdcb7ed1"
    "85ce81bd84359d44254d95629e9855a94a7c1958d1f8ada5d0532ed8a5aa3fb2"
    "d17ba70eb6248e594e1a2297acbbb39d502f1a8c6eb6f1ce22b3de1a1f40cc24"
    "554119a831a9aad6079cad88425de6bde1a9187ebb6092cf67bf2b13fd65f270"
    "88d78b7e883c8759d2c4f5c65adb7553878ad575f9fad878e80a0c9ba63bcbcc"
    "2732e69485bbc9c90bfbd62481d9089beccf80cfe2df16a2cf65bd92dd597b07"
    "07e0917af48bbb75fed413d238f5555a7a569d80c3414a8d0859dc65a46128ba"
    "b27af87a71314f318c782b23ebfe808b82b0ce26401d2e22f04d83d1255dc51a"
    "ddd3b75a2b1ae0784504df543af8969be3ea7082ff7fc9888c144da2af58429e"
    "c96031dbcad3dad9af0dcbaaaf268cb8fcffead94f3c7ca495e056a9b47acdb7"
    "51fb73e666c6c655ade8297297d07ad1ba5e43f1bca32301651339e22904cc8c"
    "42f58c30c04aafdb038dda0847dd988dcda6f3bfd15c4b4c4525004aa06eeff8"
    "ca61783aacec57fb3d1f92b0fe2fd1a85f6724517b65e614ad6808d6f6ee34df"
    "f7310fdc82aebfd904b01e1dc54b2927094b2db68d6f903b68401adebf5a7e08"
    "d78ff4ef5d63653a65040cf9bfd4aca7984a74d37145986780fc0b16ac451649"
    "de6188a7dbdf191f64b5fc5e2ab47b57f7f7276cd419c17a3ca8e1b939ae49e4"
    "88acba6b965610b5480109c8b17b80e1b7b750dfc7598d5d5011fd2dcc5600a3"
    "2ef5b52a1ecc820e308aa342721aac0943bf6686b64b2579376504ccc493d97e"
    "6aed3fb0f9cd71a43dd497f01f17c0e2cb3797aa2a2f256656168e6c496afc5f"
    "b93246f6b1116398a346f1a641f3b041e989f7914f90cc2c7fff357876e506b5"
    "0d334ba77c225bc307ba537152f3f1610e4eafe595f6d9d90d11faa933a15ef1"
    "369546868a7f3a45a96768d40fd9d03412c091c6315cf4fde7cb68606937380d"
    "b2eaaa707b4c4185c32eddcdd306705e4dc1ffc872eeee475a64dfac86aba41c"
    "0618983f8741c5ef68d3a101e8a3b8cac60c905c15fc910840b94c00a0b9d0"
)

# (secret key, public key, message, signature), as printed in RFC 8032 section 7.1.
RFC8032 = (
    (
        "TEST 1",
        "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
        "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a",
        "",
        (
            "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e06522490155"
            "5fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b"
        ),
    ),
    (
        "TEST 2",
        "4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb",
        "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c",
        "72",
        (
            "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da"
            "085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00"
        ),
    ),
    (
        "TEST 3",
        "c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7",
        "fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025",
        "af82",
        (
            "6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac"
            "18ff9b538d16f290ae67f760984dc6594a7c15e9716ed28dc027beceea1ec40a"
        ),
    ),
    (
        "TEST 1024",
        "f5e5767cf153319517630f226876b86c8160cc583bc013744c6bf255f5cc0ee5",
        "278117fc144c72340f67d0f2316e8386ceffbf2b2428c9c51fef7c597f1d426e",
        MSG_1024,
        (
            "0aab4c900501b3e24d7cdf4663326a3a87df5e4843b2cbdb67cbf6e460fec350"
            "aa5371b1508f9f4528ecea23c436d94b5e8fcd4f681e30a6ac00a9704a188a03"
        ),
    ),
    (
        "TEST SHA(abc)",
        "833fe62409237b9d62ec77587520911e9a759cec1d19755b7da901b96dca3d42",
        "ec172b93ad5e563bf4932c70e1245034c35467ef2efd4d64ebf819683467e2bf",
        SHA512_ABC,  # the message is SHA-512("abc")
        (
            "dc2a4459e7369633a52b1bf277839a00201009a3efbf3ecb69bea2186c26b589"
            "09351fc9ac90b3ecfdfbc7c66431e0303dca179c138ac17ad9bef1177331a704"
        ),
    ),
)


def test_rfc8032_message_1024_is_1023_bytes():
    assert len(h(MSG_1024)) == 1023  # as printed in the RFC, despite the test's name


def test_rfc8032_public_keys():
    for name, sk, pk, _, _ in RFC8032:
        assert hexlify(SigningKey(h(sk)).public).decode() == pk, name


def test_rfc8032_signatures():
    for name, sk, _, msg, sig in RFC8032:
        assert hexlify(SigningKey(h(sk)).sign(h(msg))).decode() == sig, name


def test_rfc8032_signatures_verify():
    for name, _, pk, msg, sig in RFC8032:
        assert verify(h(pk), h(msg), h(sig)) is True, name


def flipped(data, bit):
    b = bytearray(data)
    b[bit >> 3] ^= 1 << (bit & 7)
    return bytes(b)


def test_verify_rejects_a_flipped_bit_in_message_signature_or_key():
    for name, _, pk, msg, sig in RFC8032[1:3] + RFC8032[4:]:
        pk, msg, sig = h(pk), h(msg), h(sig)
        assert not verify(pk, flipped(msg, 0), sig), name
        assert not verify(pk, flipped(msg, len(msg) * 8 - 1), sig), name
        for bit in (0, 200, 255, 256, 300, 500):  # R and S halves
            assert not verify(pk, msg, flipped(sig, bit)), (name, bit)
        for bit in (0, 100, 254, 255):
            assert not verify(flipped(pk, bit), msg, sig), (name, bit)


def test_verify_rejects_empty_message_changes():
    _, _, pk, _, sig = RFC8032[0]
    assert verify(h(pk), b"", h(sig))
    assert not verify(h(pk), b"\x00", h(sig))


def test_verify_rejects_s_not_below_l_and_malformed_input():
    _, _, pk, msg, sig = RFC8032[2]
    pk, msg, sig = h(pk), h(msg), h(sig)
    s = int.from_bytes(sig[32:], "little")
    assert not verify(pk, msg, sig[:32] + (s + ed25519.L).to_bytes(32, "little"))
    assert not verify(pk, msg, sig[:63])
    assert not verify(pk, msg, sig + b"\x00")
    assert not verify(pk[:31], msg, sig)
    assert not verify(b"\xff" * 32, msg, sig)  # y >= p: not a canonical encoding
    assert not verify(pk, msg, bytes(64))


def test_signing_key_refuses_a_short_seed():
    try:
        SigningKey(bytes(31))
    except ValueError:
        return
    raise AssertionError("31-byte seed accepted")


# -- protocol v1 golden vector ----------------------------------------------------------


def test_protocol_v1_golden_key_and_batch_signatures():
    vec = fwtest.vectors()
    key = SigningKey(h(vec["seed"]))
    assert hexlify(key.public).decode() == vec["public_key"]
    assert hexlify(keystore.device_id(key.public)).decode() == vec["device_id"]
    assert vec["batches"]
    for batch in vec["batches"]:
        digest = h(batch["signed_message_sha256"])
        sig = key.sign(digest)
        assert hexlify(sig).decode() == batch["signature"], batch["name"]
        assert verify(key.public, digest, sig)


# -- key store --------------------------------------------------------------------------


def _tmpdir(name):
    return "/tmp/visitproof-test-sign-" + name + "-" + hexlify(os.urandom(4)).decode()


def _rmtree(path):
    try:
        entries = os.listdir(path)
    except OSError:
        return
    for e in entries:
        p = path + "/" + e
        if os.stat(p)[0] & 0x4000:
            _rmtree(p)
        else:
            os.remove(p)
    os.rmdir(path)


def test_keystore_creates_once_then_loads_the_same_key():
    root = _tmpdir("ks")
    path = root + "/keys/badge.seed"  # parent folders do not exist yet
    calls = []

    def fake_urandom(n):
        calls.append(n)
        return bytes(range(n))

    try:
        first = keystore.load_or_create(path, urandom=fake_urandom)
        assert calls == [32]
        with open(path, "rb") as f:
            assert f.read() == bytes(range(32))
        assert sorted(os.listdir(root + "/keys")) == ["badge.seed"]  # no temp file left
        second = keystore.load_or_create(path, urandom=fake_urandom)
        assert calls == [32]  # loaded, not made again
        assert second.public == first.public
        assert second.sign(b"x") == first.sign(b"x")
    finally:
        _rmtree(root)


def test_keystore_uses_os_urandom_by_default_and_seed_gives_rfc_key():
    root = _tmpdir("default")
    path = root + "/k.seed"
    try:
        key = keystore.load_or_create(path)
        with open(path, "rb") as f:
            seed = f.read()
        assert len(seed) == 32
        assert SigningKey(seed).public == key.public
    finally:
        _rmtree(root)
    # A stored RFC 8032 TEST 1 seed loads as the RFC's key.
    root = _tmpdir("rfc")
    os.mkdir(root)
    path = root + "/k.seed"
    try:
        with open(path, "wb") as f:
            f.write(h(RFC8032[0][1]))
        assert hexlify(keystore.load_or_create(path).public).decode() == RFC8032[0][2]
    finally:
        _rmtree(root)


def test_keystore_refuses_a_truncated_key_file_and_wipe_removes_it():
    root = _tmpdir("bad")
    os.mkdir(root)
    path = root + "/k.seed"
    try:
        with open(path, "wb") as f:
            f.write(bytes(10))
        try:
            keystore.load_or_create(path)
            raise AssertionError("10-byte key file accepted")
        except ValueError:
            pass
        keystore.wipe(path)
        assert os.listdir(root) == []
        keystore.wipe(path)  # nothing there: no error
    finally:
        _rmtree(root)
