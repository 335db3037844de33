"""A tiny SMTP server for tests: records every message; can refuse the first N attempts
(after DATA, so what they carried is recorded too, in sink.refused).

    sink = Sink(refuse_first=1); sink.start(); ... sink.messages; sink.stop()
Python 3.11 still ships the deprecated smtpd/asyncore modules this uses. Each sink has its own
socket map and loop thread: asyncore's global map would let two sinks' threads serve the same
connection at once (asynchat is not thread-safe; it crashed in CI with "deque index out of range")."""
import asyncore
import smtpd
import socket
import threading
import warnings

warnings.filterwarnings("ignore", category=DeprecationWarning)


class _Server(smtpd.SMTPServer):
    def __init__(self, addr, owner, sockmap):
        super().__init__(addr, None, map=sockmap, decode_data=False)
        self.owner = owner

    def process_message(self, peer, mailfrom, rcpttos, data, **kw):
        with self.owner.lock:
            self.owner.attempts += 1
            if self.owner.refuse_left > 0:
                self.owner.refuse_left -= 1
                self.owner.refused.append({"from": mailfrom, "to": rcpttos, "data": data})
                return "451 Try again later"
            self.owner.messages.append({"from": mailfrom, "to": rcpttos, "data": data})
        return None


class Sink:
    def __init__(self, refuse_first=0):
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        self.port = s.getsockname()[1]
        s.close()
        self.refuse_left = refuse_first
        self.attempts = 0
        self.messages = []
        self.refused = []  # what the refused attempts carried
        self.lock = threading.Lock()
        self.map = {}
        self.running = True
        self.server = _Server(("127.0.0.1", self.port), self, self.map)
        self.thread = threading.Thread(target=self._loop, daemon=True)

    def _loop(self):
        while self.running and self.map:
            asyncore.loop(timeout=0.05, map=self.map, count=1)

    def start(self):
        self.thread.start()

    def stop(self):
        self.running = False
        self.thread.join(timeout=5)
        asyncore.close_all(map=self.map)
