"""`ops worker` waits out a PostgreSQL outage: its connection runs through a TCP proxy the test cuts for a
while (as a database restart or a network cut would); the worker stays up, logs the outage, and
applies the messages that arrived meanwhile once the database is back."""

from __future__ import annotations

import socket
import threading
import time
from urllib.parse import urlsplit, urlunsplit

import pytest

from tests.integration.worker.conftest import Hub, free_port, until

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.slow]


class CuttableProxy:
    """Forwards 127.0.0.1:<port> to the real database; `cut()` drops every connection and refuses new ones."""

    def __init__(self, target: tuple[str, int]):
        self.target, self.port = target, free_port()
        self.listener: socket.socket | None = None
        self.conns: list[socket.socket] = []
        self.lock = threading.Lock()

    def open(self) -> None:
        self.listener = socket.socket()
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind(("127.0.0.1", self.port))
        self.listener.listen(64)
        threading.Thread(target=self._accept, args=(self.listener,), daemon=True).start()

    def cut(self) -> None:
        self.listener.shutdown(socket.SHUT_RDWR)  # wakes the blocked accept(); close() alone would not
        self.listener.close()
        with self.lock:
            for conn in self.conns:
                try:
                    conn.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                conn.close()
            self.conns.clear()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            upstream = socket.create_connection(self.target)
            with self.lock:
                self.conns += [client, upstream]
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def _pipe(src: socket.socket, dst: socket.socket) -> None:
        try:
            while data := src.recv(65536):
                dst.sendall(data)
        except OSError:
            pass
        finally:
            for s in (src, dst):
                try:
                    s.close()
                except OSError:
                    pass


def _through(url: str, port: int) -> str:
    parts = urlsplit(url)
    netloc = parts.netloc.rsplit("@", 1)
    host = f"127.0.0.1:{port}"
    return urlunsplit(parts._replace(netloc=f"{netloc[0]}@{host}" if len(netloc) == 2 else host))


def test_the_worker_waits_out_a_database_outage_and_then_applies_what_arrived(pg_url, redis_server, tmp_path):
    target = urlsplit(pg_url)
    proxy = CuttableProxy((target.hostname, target.port or 5432))
    proxy.open()
    hub = Hub(pg_url, redis_server.url, tmp_path / "worker.log")
    hub.db = _through(pg_url, proxy.port)  # the worker's own way to the database
    try:
        no = hub.order()
        hub.start_worker()
        first = hub.say(f"{no} CNC加工 完成10%")
        until(lambda: hub.message(first).status == "processed", "the first message")

        proxy.cut()
        during = hub.say(f"{no} CNC加工 完成20%")  # stored and queued; the worker cannot reach the database
        until(lambda: "database unreachable" in hub.log(), "the worker to notice the outage", 60)
        time.sleep(5)
        assert hub.worker.poll() is None, hub.log()[-3000:]
        assert hub.message(during).status == "received"

        proxy.open()
        until(lambda: hub.message(during).status == "processed", "the message sent during the outage", 120)
        after = hub.say(f"{no} CNC加工 完成30%")
        until(lambda: hub.message(after).status == "processed", "a message sent after the outage", 30)
        log = hub.log()
        assert hub.worker.poll() is None
        assert "quitting" not in log
        assert "database reachable again" in log
    finally:
        hub.close()
