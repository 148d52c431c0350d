"""A TCP stream checked end to end: the receiver hashes what arrives with SHA-256.

  tcpsum.py recv BIND PORT READY_FILE TIMEOUT   accept one connection, read to EOF, print "BYTES SHA256"
  tcpsum.py send HOST PORT FILE TIMEOUT         send FILE, half-close, wait for the receiver to close

The receiver creates READY_FILE once it listens, so the caller waits for a condition, not a time.
Every socket operation has TIMEOUT seconds, so nothing hangs forever.
"""
import hashlib
import socket
import sys


def recv(bind, port, ready, timeout):
    family = socket.AF_INET6 if ":" in bind else socket.AF_INET
    srv = socket.socket(family, socket.SOCK_STREAM)
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind((bind, port))
    srv.listen(1)
    srv.settimeout(timeout)
    with open(ready, "w"):
        pass
    conn, _ = srv.accept()
    conn.settimeout(timeout)
    h = hashlib.sha256()
    n = 0
    while True:
        chunk = conn.recv(1 << 20)
        if not chunk:
            break
        h.update(chunk)
        n += len(chunk)
    conn.close()
    srv.close()
    print(n, h.hexdigest())


def send(host, port, path, timeout):
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    s = socket.socket(family, socket.SOCK_STREAM)
    s.settimeout(timeout)
    s.connect((host, port))
    with open(path, "rb") as f:
        s.sendfile(f)
    s.shutdown(socket.SHUT_WR)
    while s.recv(4096):
        pass
    s.close()


def main():
    if len(sys.argv) != 6 or sys.argv[1] not in ("recv", "send"):
        print(__doc__, file=sys.stderr)
        return 2
    mode, addr, port, path, timeout = sys.argv[1:]
    try:
        if mode == "recv":
            recv(addr, int(port), path, float(timeout))
        else:
            send(addr, int(port), path, float(timeout))
    except OSError as e:
        print(f"tcpsum {mode}: {e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
