"""Throws malformed WireGuard datagrams at a UDP port (run inside the sending namespace).

  malformed.py HOST PORT PUBKEY [--seed N] [--quick] [--capture-dev DEV --tunnel-dst ADDR]

Sends, from an ephemeral port of this namespace (so never from the real peer's endpoint):
  1. every size 0..2000 of random bytes;
  2. for each message type 1..4, every size 1..2000 starting with the type and three zero reserved
     bytes, the rest random;
  3. at the exact sizes: 200 initiations (148) and 200 responses (92) with random contents, and as
     many again with a *valid mac1* for PUBKEY, so they pass the first check and reach the
     handshake code (and, in numbers, its under-load cookie path); 200 cookie replies (64); data
     messages (32 + 16k) with small and extreme receiver indices;
  4. the right types and sizes with non-zero reserved bytes;
  5. with --capture-dev: real transport messages for HOST are captured on DEV (AF_PACKET, outgoing)
     while UDP is sent through the tunnel to --tunnel-dst; each is replayed as is (a replay), with
     every bit of the header and of a few body bytes flipped, and truncated to every length.
--quick sends only part 1 and a sample of part 2 (for a second address family).
Sends are paced so the receiver's socket buffer is not the thing that drops them. Prints one
line of counts per part. Exits non-zero only on a local error.
"""
import argparse
import base64
import hashlib
import random
import select
import socket
import struct
import sys
import time

MAX = 2000


class Sender:
    def __init__(self, host, port):
        self.family = socket.AF_INET6 if ":" in host else socket.AF_INET
        self.sock = socket.socket(self.family, socket.SOCK_DGRAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 1 << 20)
        self.dst = (host, port)
        self.count = 0
        self.errors = 0

    def send(self, data):
        try:
            self.sock.sendto(data, self.dst)
        except OSError:
            # e.g. ECONNREFUSED from an ICMP error for an earlier datagram: not our concern
            self.errors += 1
        self.count += 1
        if self.count % 8 == 0:
            time.sleep(0.0005)


def mac1(pub, msg, offset):
    key = hashlib.blake2s(b"mac1----" + pub).digest()
    return hashlib.blake2s(msg[:offset], digest_size=16, key=key).digest()


def header(msg_type):
    return bytes([msg_type, 0, 0, 0])


def capture_transport(dev, port, tunnel_dst, rng, want=16, timeout=3.0):
    """Real type-4 datagrams sent to PORT on DEV, captured while we send UDP through the tunnel."""
    raw = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(0x0003))
    raw.bind((dev, 0))
    fam = socket.AF_INET6 if ":" in tunnel_dst else socket.AF_INET
    inner = socket.socket(fam, socket.SOCK_DGRAM)
    got = []
    deadline = time.monotonic() + timeout
    sizes = [0, 1, 15, 16, 17, 100, 500, 1000, 1300]
    i = 0
    while len(got) < want and time.monotonic() < deadline:
        inner.sendto(rng.randbytes(sizes[i % len(sizes)]), (tunnel_dst, 9))
        i += 1
        end = time.monotonic() + 0.05
        while time.monotonic() < end:
            r, _, _ = select.select([raw], [], [], 0.01)
            if not r:
                continue
            frame, addr = raw.recvfrom(65535)
            if addr[2] != socket.PACKET_OUTGOING:
                continue
            payload = udp_payload(frame, port)
            if payload is not None and len(payload) >= 32 and payload[0] == 4:
                got.append(payload)
    raw.close()
    inner.close()
    return got


def udp_payload(frame, port):
    if len(frame) < 14:
        return None
    eth_type = struct.unpack("!H", frame[12:14])[0]
    p = frame[14:]
    if eth_type == 0x0800 and len(p) >= 20 and p[9] == 17:
        ihl = (p[0] & 0x0F) * 4
        udp = p[ihl:]
    elif eth_type == 0x86DD and len(p) >= 40 and p[6] == 17:
        udp = p[40:]
    else:
        return None
    if len(udp) < 8 or struct.unpack("!H", udp[2:4])[0] != port:
        return None
    return udp[8:]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("host")
    ap.add_argument("port", type=int)
    ap.add_argument("pubkey")
    ap.add_argument("--seed", type=int, default=None)
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--capture-dev")
    ap.add_argument("--tunnel-dst")
    a = ap.parse_args()

    seed = a.seed if a.seed is not None else random.SystemRandom().randrange(1 << 32)
    rng = random.Random(seed)
    pub = base64.b64decode(a.pubkey)
    if len(pub) != 32:
        print("malformed.py: PUBKEY must be 32 bytes in base64", file=sys.stderr)
        return 2
    s = Sender(a.host, a.port)
    print(f"# malformed.py: seed {seed} (pass --seed {seed} to replay), target {a.host}:{a.port}")

    # 1. random bytes at every size
    start = s.count
    for size in range(0, MAX + 1):
        s.send(rng.randbytes(size))
    print(f"# random bytes, sizes 0..{MAX}: {s.count - start} datagrams")

    # 2. each type with zero reserved bytes, every size
    start = s.count
    step = 7 if a.quick else 1
    for t in (1, 2, 3, 4):
        for size in range(1, MAX + 1, step):
            s.send((header(t) + rng.randbytes(max(0, size - 4)))[:size])
    print(f"# types 1-4 with zero reserved bytes, sizes 1..{MAX}: {s.count - start} datagrams")
    if a.quick:
        print(f"# sent {s.count} datagrams ({s.errors} send errors)")
        return 0

    # 3. exact sizes, random and with a valid mac1
    start = s.count
    for _ in range(200):
        s.send(header(1) + rng.randbytes(144))
        s.send(header(2) + rng.randbytes(88))
        s.send(header(3) + rng.randbytes(60))
        m = bytearray(header(1) + rng.randbytes(112) + bytes(32))
        m[116:132] = mac1(pub, m, 116)
        s.send(bytes(m))
        m = bytearray(header(2) + rng.randbytes(56) + bytes(32))
        m[60:76] = mac1(pub, m, 60)
        s.send(bytes(m))
    for idx in list(range(0, 64)) + [0x7FFFFFFF, 0x80000000, 0xFFFFFFFE, 0xFFFFFFFF]:
        for body in (0, 16, 1024):
            s.send(header(4) + struct.pack("<I", idx) + rng.randbytes(8) + rng.randbytes(body + 16))
    print(f"# exact sizes 148/92/64/32+ (random, valid mac1, chosen indices): {s.count - start} datagrams")

    # 4. non-zero reserved bytes
    start = s.count
    for t, size in ((1, 148), (2, 92), (3, 64), (4, 32), (4, 48)):
        for i in range(1, 4):
            for v in (1, 0x80, 0xFF):
                m = bytearray(header(t) + rng.randbytes(size - 4))
                m[i] = v
                s.send(bytes(m))
    print(f"# right types and sizes, non-zero reserved bytes: {s.count - start} datagrams")

    # 5. captured transport messages: replays, bit flips, truncations
    if a.capture_dev:
        real = capture_transport(a.capture_dev, a.port, a.tunnel_dst, rng)
        if not real:
            print("malformed.py: captured no transport message to replay", file=sys.stderr)
            return 1
        start = s.count
        for msg in real:
            s.send(msg)                                 # replay
            for bit in range(16 * 8):                   # header bits
                m = bytearray(msg)
                m[bit // 8] ^= 1 << (bit % 8)
                s.send(bytes(m))
            for pos in rng.sample(range(16, len(msg)), min(8, len(msg) - 16)):
                m = bytearray(msg)
                m[pos] ^= 1 << rng.randrange(8)
                s.send(bytes(m))
            for n in range(0, len(msg)):
                s.send(msg[:n])
            s.send(msg + rng.randbytes(rng.randrange(1, 64)))
        print(f"# {len(real)} captured transport messages replayed, flipped, truncated, extended: "
              f"{s.count - start} datagrams")

    print(f"# sent {s.count} datagrams ({s.errors} send errors)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
