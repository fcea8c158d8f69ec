#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
# Counts TPM commands: a TCP pass-through in front of swtpm's command port (and its control
# port, one above) that appends, for every TPM command it forwards, a line to LOG: the command
# code, the time the TPM took in milliseconds and the response code.
#   tpm-proxy.py LISTEN_PORT SWTPM_PORT LOG
# Bound to 127.0.0.1 only; exits when its parent shell kills it (by PID).
import socket, struct, sys, threading, time

listen, target, log = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
lock = threading.Lock()


def recv_exact(s, n):
    b = b""
    while len(b) < n:
        c = s.recv(n - len(b))
        if not c:
            return None
        b += c
    return b


def tpm_conn(client):
    up = socket.create_connection(("127.0.0.1", target))
    try:
        while True:
            hdr = recv_exact(client, 10)
            if not hdr:
                return
            tag, size, cc = struct.unpack(">HII", hdr)
            body = recv_exact(client, size - 10) if size > 10 else b""
            t0 = time.monotonic()
            up.sendall(hdr + body)
            rhdr = recv_exact(up, 10)
            with lock, open(log, "a") as f:
                f.write("0x%08x %.3f 0x%08x\n" % (cc, (time.monotonic() - t0) * 1000,
                                                  struct.unpack(">HII", rhdr)[2] if rhdr else 0))
            if not rhdr:
                return
            rsize = struct.unpack(">HII", rhdr)[1]
            rbody = recv_exact(up, rsize - 10) if rsize > 10 else b""
            client.sendall(rhdr + rbody)
    finally:
        up.close()
        client.close()


def pipe(a, b):
    try:
        while True:
            d = a.recv(65536)
            if not d:
                break
            b.sendall(d)
    except OSError:
        pass
    finally:
        a.close()
        b.close()


def ctrl_conn(client):
    up = socket.create_connection(("127.0.0.1", target + 1))
    threading.Thread(target=pipe, args=(up, client), daemon=True).start()
    pipe(client, up)


def serve(port, handler):
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("127.0.0.1", port))
    s.listen(16)
    while True:
        c, _ = s.accept()
        threading.Thread(target=handler, args=(c,), daemon=True).start()


threading.Thread(target=serve, args=(listen + 1, ctrl_conn), daemon=True).start()
print("ready", flush=True)
serve(listen, tpm_conn)
