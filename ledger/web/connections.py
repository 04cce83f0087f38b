"""The connections ``ledger serve`` holds: a request's headers must arrive within a bounded time and
one address holds a bounded number of connections, so clients that never finish their headers
(a slow-headers attack, or a broken phone network) cannot exhaust the server's file descriptors or
keep other units waiting, even with ``--host 0.0.0.0`` and no proxy in front.

uvicorn closes an idle kept-alive connection but never one whose headers do not finish; the guard
is its HTTP protocol with a timer from the moment a request may start (the connection opens, or the
previous response ends) until its headers are complete.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from typing import Any

from uvicorn.protocols.http.h11_impl import H11Protocol

HEADER_SECONDS = 10.0        # a request's headers arrive within this, or the connection is closed
PER_ADDRESS = 32             # connections one address may hold open at once (a browser opens ≤ 6)
MAX_CONNECTIONS = 1000       # connections and requests in all: beyond, uvicorn answers 503
KEEP_ALIVE_SECONDS = 5       # an idle kept-alive connection is closed after this


def guarded_protocol(header_seconds: float = HEADER_SECONDS, per_address: int = PER_ADDRESS,
                     exempt: frozenset[str] = frozenset()) -> type[H11Protocol]:
    """uvicorn's h11 protocol with the two bounds; ``exempt`` addresses (a reverse proxy on this
    machine, which carries every unit's connections) have no per-address bound. Each call makes a
    class of its own, with its own count of connections by address."""

    class Guarded(H11Protocol):
        open_by_address: Counter = Counter()

        def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
            super().connection_made(transport)
            self._address = self.client[0] if self.client else ""
            self._counted, self._header_timer = False, None
            if self._address not in exempt:
                if self.open_by_address[self._address] >= per_address:
                    transport.close()          # refused at once: nothing read, nothing answered
                    return
                self.open_by_address[self._address] += 1
                self._counted = True
            self._await_headers()

        def _await_headers(self) -> None:
            self._cancel_timer()
            self._header_timer = self.loop.call_later(header_seconds, self._headers_late, self.cycle)

        def _headers_late(self, cycle: Any) -> None:
            """No request's headers completed since the timer started: the connection is closed."""
            if self.cycle is cycle and not self.transport.is_closing():
                self.transport.close()

        def _cancel_timer(self) -> None:
            if self._header_timer is not None:
                self._header_timer.cancel()
                self._header_timer = None

        def on_response_complete(self) -> None:
            super().on_response_complete()
            if not self.transport.is_closing():
                self._await_headers()          # the next request on a kept-alive connection

        def connection_lost(self, exc: Exception | None) -> None:
            self._cancel_timer()
            if self._counted:
                self._counted = False
                self.open_by_address[self._address] -= 1
                if self.open_by_address[self._address] <= 0:
                    del self.open_by_address[self._address]
            super().connection_lost(exc)

    return Guarded


def server_config(app: Any, *, exempt: frozenset[str] = frozenset(), header_seconds: float = HEADER_SECONDS,
                  per_address: int = PER_ADDRESS, max_connections: int = MAX_CONNECTIONS, **options: Any):
    """The uvicorn configuration ``ledger serve`` runs with (tests run the same)."""
    import uvicorn

    return uvicorn.Config(app, http=guarded_protocol(header_seconds, per_address, exempt),
                          limit_concurrency=max_connections, timeout_keep_alive=KEEP_ALIVE_SECONDS,
                          server_header=False, **options)
