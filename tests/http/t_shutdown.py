"""Graceful shutdown: SIGTERM stops accepting but lets a request in flight finish.

No fixed sleeps: each step waits for something the server shows.
- The request is in flight once the server has read its headers and run the first handler
  call (src/http/server.c on_request counts it active there): a request with
  `Expect: 100-continue` and no body yet is answered `100 Continue` at exactly that point.
- The signal was taken once the log says "signal 15: finishing requests in flight"
  (src/cli/cmd_serve.c); the listening socket is closed right after it (http_server_stop),
  so new connections are then polled for until one is refused.
The deadlines below are upper bounds for a busy machine, not expected durations.
"""
import os
import signal
import socket
import time

DEADLINE_S = 30.0


def poll(cond, timeout=DEADLINE_S, every=0.02):
    """True as soon as cond() holds, False if it still does not after `timeout` seconds."""
    end = time.monotonic() + timeout
    while True:
        if cond():
            return True
        if time.monotonic() >= end:
            return False
        time.sleep(every)


def read_until(s, marker, limit=65536):
    """Reads from s until `marker` has arrived (or EOF / error); returns what was read."""
    data = b""
    while marker not in data and len(data) < limit:
        try:
            chunk = s.recv(4096)
        except OSError:
            break
        if not chunk:
            break
        data += chunk
    return data


def log_has(path, offset, text):
    try:
        with open(path, "rb") as f:
            f.seek(offset)
            return text in f.read()
    except OSError:
        return False


def refused(port):
    try:
        socket.create_connection(("127.0.0.1", port), timeout=2).close()
    except OSError:
        return True
    return False


def g_graceful(ctx, srv):
    ck = ctx.ck
    body = b'{"login":"nobody-graceful","password":"wrong-password-123"}'
    s = socket.create_connection(("127.0.0.1", srv.port), timeout=DEADLINE_S)
    head = ("POST /api/v1/session HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            "Content-Length: %d\r\nExpect: 100-continue\r\nConnection: close\r\n\r\n" % len(body)).encode()
    s.sendall(head)
    interim = read_until(s, b"\r\n\r\n")
    if not ck.ok(interim.startswith(b"HTTP/1.1 100"),
                 "the server read the request's headers (100 Continue): the request is in flight",
                 interim[:200]):
        s.close()
        return

    log_from = os.path.getsize(srv.log_path) if os.path.exists(srv.log_path) else 0
    srv.proc.send_signal(signal.SIGTERM)
    took = poll(lambda: log_has(srv.log_path, log_from, b"finishing requests in flight")
                or srv.proc.poll() is not None)
    ck.ok(took, "the server logs that it took SIGTERM and finishes the requests in flight")
    ck.ok(poll(lambda: refused(srv.port)), "after SIGTERM new connections are refused")
    ck.ok(srv.proc.poll() is None, "the server waits for the request in flight")

    s.sendall(body)
    data = b""
    try:
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            data += chunk
    except OSError:
        pass
    s.close()
    status = data.split(b" ", 2)[1] if data.startswith(b"HTTP/1.") else b""
    ck.ok(status == b"401", "the request in flight got its answer (401 for a wrong login)",
          data[:200])
    try:
        rc = srv.proc.wait(DEADLINE_S)
    except Exception:
        rc = None
    ck.ok(rc == 0, "then the server exits 0", "exit status %s" % rc)
