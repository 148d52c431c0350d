#!/usr/bin/python3
"""Independent reference for WireGuard's handshake (whitepaper 5.4), used once to produce the
known-answer vectors in test_handshake.c. It uses Python's hashlib/hmac BLAKE2s and the
'cryptography' package's X25519 and ChaCha20-Poly1305 -- none of Wirehop's code -- so the test
checks our C bytes against a second implementation. Run: /usr/bin/python3 gen_noise_vectors.py"""
import hashlib
import hmac
import struct

from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305
from cryptography.hazmat.primitives import serialization

CONSTRUCTION = b"Noise_IKpsk2_25519_ChaChaPoly_BLAKE2s"
IDENTIFIER = b"WireGuard v1 zx2c4 Jason@zx2c4.com"
LABEL_MAC1 = b"mac1----"


def h(data):
    return hashlib.blake2s(data).digest()


def mac(key, data):
    return hashlib.blake2s(data, digest_size=16, key=key).digest()


def hm(key, data):
    return hmac.new(key, data, hashlib.blake2s).digest()


def kdf(n, key, data):
    t0 = hm(key, data)
    out, prev = [], b""
    for i in range(1, n + 1):
        prev = hm(t0, prev + bytes([i]))
        out.append(prev)
    return out


def clamp(k):
    k = bytearray(k)
    k[0] &= 248
    k[31] = (k[31] & 127) | 64
    return bytes(k)


def pub(priv):
    raw = X25519PrivateKey.from_private_bytes(priv).public_key()
    return raw.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def dh(priv, public):
    return X25519PrivateKey.from_private_bytes(priv).exchange(X25519PublicKey.from_public_bytes(public))


def aead(key, counter, plain, ad):
    return ChaCha20Poly1305(key).encrypt(b"\0" * 4 + struct.pack("<Q", counter), plain, ad)


def tai64n(realtime_ns):
    seconds, nanos = divmod(realtime_ns, 10**9)
    return struct.pack(">QI", 0x400000000000000A + seconds, nanos & ~0xFFFFFF)


def hexs(b):
    return b.hex()


# Fixed inputs, mirrored in test_handshake.c.
s_i = clamp(bytes(range(1, 33)))
s_r = clamp(bytes(range(33, 65)))
e_i = clamp(bytes(range(65, 97)))
e_r = clamp(bytes(range(97, 129)))
psk = bytes(range(129, 161))
realtime_ns = 1767225600 * 10**9 + 123456789
i_index, r_index = 0x11223344, 0x55667788

S_i, S_r, E_i, E_r = pub(s_i), pub(s_r), pub(e_i), pub(e_r)

# Initiation
C = h(CONSTRUCTION)
H = h(C + IDENTIFIER)
H = h(H + S_r)
C = kdf(1, C, E_i)[0]
H = h(H + E_i)
C, k = kdf(2, C, dh(e_i, S_r))
enc_static = aead(k, 0, S_i, H)
H = h(H + enc_static)
C, k = kdf(2, C, dh(s_i, S_r))
enc_ts = aead(k, 0, tai64n(realtime_ns), H)
H = h(H + enc_ts)
init = struct.pack("<I", 1) + struct.pack("<I", i_index) + E_i + enc_static + enc_ts
init += mac(h(LABEL_MAC1 + S_r), init) + b"\0" * 16

# Response
C = kdf(1, C, E_r)[0]
H = h(H + E_r)
C = kdf(1, C, dh(e_r, E_i))[0]
C = kdf(1, C, dh(e_r, S_i))[0]
C, tau, k = kdf(3, C, psk)
H = h(H + tau)
enc_nothing = aead(k, 0, b"", H)
H = h(H + enc_nothing)
resp = struct.pack("<I", 2) + struct.pack("<I", r_index) + struct.pack("<I", i_index) + E_r + enc_nothing
resp += mac(h(LABEL_MAC1 + S_i), resp) + b"\0" * 16

t_send_i, t_recv_i = kdf(2, C, b"")

# First data message from the initiator: a 20-byte payload padded to 32, counter 0.
payload = bytes(range(20)) + b"\0" * 12
data = struct.pack("<I", 4) + struct.pack("<I", r_index) + struct.pack("<Q", 0) + aead(t_send_i, 0, payload, b"")

for name, value in [("initiation", init), ("response", resp), ("initiator_send_key", t_send_i),
                    ("initiator_receive_key", t_recv_i), ("first_data", data)]:
    print(f'static const char expected_{name}[] =')
    text = hexs(value)
    for i in range(0, len(text), 96):
        print(f'\t"{text[i:i + 96]}"')
    print('\t;')
