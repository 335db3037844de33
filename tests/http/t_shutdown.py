"""Graceful shutdown: SIGTERM stops accepting but lets a request in flight finish."""
import signal
import socket
import time


def g_graceful(ctx, srv):
    ck = ctx.ck
    body = b'{"login":"nobody-graceful","password":"wrong-password-123"}'
    s = socket.create_connection(("127.0.0.1", srv.port), timeout=10)
    head = ("POST /api/v1/session HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            "Content-Length: %d\r\nConnection: close\r\n\r\n" % len(body)).encode()
    s.sendall(head + body[:10])
    time.sleep(0.3)  # the server has seen the request start
    srv.proc.send_signal(signal.SIGTERM)
    time.sleep(0.5)
    refused = False
    try:
        socket.create_connection(("127.0.0.1", srv.port), timeout=2).close()
    except OSError:
        refused = True
    ck.ok(refused, "after SIGTERM new connections are refused")
    ck.ok(srv.proc.poll() is None, "the server waits for the request in flight")
    s.sendall(body[10:])
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
        rc = srv.proc.wait(10)
    except Exception:
        rc = None
    ck.ok(rc == 0, "then the server exits 0", "exit status %s" % rc)
