"""``detente serve --workers N``: N uvicorn processes behind one port, the connections dealt
out between them in turn.

uvicorn's own workers all listen on one socket, and whichever wakes first accepts every
connection that is waiting (asyncio accepts up to the backlog at once): 50 clients that
connect together all landed on one process while the other idled (``benchmarks/api.py
--workers 2``: 4.2 s of CPU in one worker, 0.01 s in the other). Sockets of their own on the
same port (``SO_REUSEPORT``) did better, but Linux picks one by a hash of the client's
address and port, not evenly: 50 connections came out 28/22, sometimes 32/18, and since a
client keeps its connection, one worker had half as much again to answer for the whole run
(its queue the tail of the benchmark's p99).

Here this process alone listens on the port. It accepts each connection and hands it to the
next worker in turn (the socket itself, over a Unix socket: ``SCM_RIGHTS``), and the worker's
uvicorn serves it as one it had accepted: N connections made at once are shared out as
evenly as they can be. Where sockets cannot be handed over (Windows), the command falls back
to uvicorn's workers.
"""

from __future__ import annotations

import asyncio
import contextlib
import multiprocessing
import multiprocessing.connection
import signal
import socket
import sys
import threading
import time
from multiprocessing.reduction import recv_handle, send_handle
from typing import Any

import uvicorn

#: uvicorn's app factory in each process; it reads the store and settings that
#: ``detente serve`` put in the environment (:data:`detente.api.app.WORKER_SETTINGS`)
FACTORY = "detente.api.app:app_from_environment"
#: seconds a process has to finish its requests once asked to stop, before it is killed
STOP_SECONDS = 30.0
Inbox = multiprocessing.connection.Connection


def balanced() -> bool:
    """Whether this system can hand accepted sockets to other processes (Unix)."""
    return sys.platform != "win32" and hasattr(socket, "AF_UNIX")


def bind(host: str, port: int) -> socket.socket:
    """A TCP socket bound to ``host:port`` (OSError when another socket listens on it)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
    except OSError:
        sock.close()
        raise
    return sock


class DealtServer(uvicorn.Server):
    """A uvicorn server that listens on no socket: it serves the connections that arrive
    over ``inbox`` (accepted sockets, handed over by :func:`run`'s process)."""

    def __init__(self, config: uvicorn.Config, inbox: Inbox) -> None:
        super().__init__(config)
        self.inbox = inbox
        self._opening: set[asyncio.Task[Any]] = set()

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets=[])
        loop = asyncio.get_running_loop()
        config = self.config

        def protocol() -> asyncio.Protocol:  # as uvicorn makes them for its own sockets
            made: asyncio.Protocol = config.http_protocol_class(  # type: ignore[call-arg]
                config=config, server_state=self.server_state, app_state=self.lifespan.state)
            return made

        def take() -> None:
            try:
                fd = recv_handle(self.inbox)
            except (EOFError, OSError):  # the dealing process is gone: stop
                loop.remove_reader(self.inbox.fileno())
                self.should_exit = True
                return
            sock = socket.socket(fileno=fd)
            sock.setblocking(False)
            task = loop.create_task(loop.connect_accepted_socket(protocol, sock))
            self._opening.add(task)  # kept until done (the loop holds tasks weakly)
            task.add_done_callback(lambda done: self._opened(done, sock))

        loop.add_reader(self.inbox.fileno(), take)

    def _opened(self, task: asyncio.Task[Any], sock: socket.socket) -> None:
        self._opening.discard(task)
        if task.cancelled() or task.exception() is not None:
            sock.close()  # a client that hung up before it was served: nothing to answer

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        asyncio.get_running_loop().remove_reader(self.inbox.fileno())
        await super().shutdown(sockets)


def _serve_one(inbox: Inbox, options: dict[str, Any]) -> None:
    """One worker process: a uvicorn server for the connections dealt to it."""
    DealtServer(uvicorn.Config(FACTORY, factory=True, **options), inbox).run()


def _deal(listener: socket.socket, inboxes: list[Inbox], stopping: threading.Event) -> None:
    """Accept connections on ``listener`` and hand each to the next worker in turn (one
    whose process is gone is skipped), until ``stopping`` is set and the listener shut."""
    turn = 0
    while True:
        try:
            conn, _ = listener.accept()
        except OSError:
            if stopping.is_set():
                return
            # a client gone before it was accepted, or no file descriptor left for now
            # (EMFILE): the next connection may well be served, so keep accepting
            time.sleep(0.05)
            continue
        with conn:
            for _ in inboxes:
                inbox, turn = inboxes[turn % len(inboxes)], turn + 1
                try:
                    send_handle(inbox, conn.fileno(), 0)  # the worker holds its own copy
                    break
                except OSError:
                    continue


def _shut(listener: socket.socket, stopping: threading.Event) -> None:
    """Stop taking connections on ``listener``; this wakes the dealing thread's accept(),
    which then ends."""
    stopping.set()
    with contextlib.suppress(OSError):  # already shut
        listener.shutdown(socket.SHUT_RDWR)


def run(workers: int, host: str, port: int, options: dict[str, Any]) -> int:
    """Serve with ``workers`` processes on ``host:port`` until a signal (SIGINT, SIGTERM,
    SIGHUP) stops them or one of them fails; the exit status (0 when stopped by a signal).
    OSError when the port cannot be had (another server listens on it, say).

    ``options`` are uvicorn's ``Config`` settings (log level, keep-alive...)."""
    listener = bind(host, port)
    listener.listen(2048)
    context = multiprocessing.get_context("spawn")
    pipes = [context.Pipe() for _ in range(workers)]
    procs = [context.Process(target=_serve_one, args=(theirs, options),
                             name=f"detente-serve-{i + 1}")
             for i, (_, theirs) in enumerate(pipes)]
    stopping = threading.Event()  # set once: by a signal, a failed worker or the end

    def stop(*_: Any) -> None:
        _shut(listener, stopping)  # no new connections
        for proc in procs:
            if proc.pid is not None and proc.exitcode is None:
                proc.terminate()  # SIGTERM: uvicorn finishes the requests it has, then exits

    previous = {sig: signal.signal(sig, stop)
                for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)}
    failed = 0
    try:
        for proc in procs:
            proc.start()
        for _, theirs in pipes:
            theirs.close()  # the workers have theirs: a worker's end closes when it exits
        threading.Thread(target=_deal, name="detente-deal", daemon=True,
                         args=(listener, [ours for ours, _ in pipes], stopping)).start()
        while running := [p for p in procs if p.exitcode is None]:
            multiprocessing.connection.wait([p.sentinel for p in running])
            for proc in procs:
                if proc.exitcode not in (None, 0) and not stopping.is_set():
                    print(f"detente serve: worker {proc.name} exited with status "
                          f"{proc.exitcode}; stopping the others", file=sys.stderr)
                    failed = 1
                    stop()
        return failed
    finally:
        _shut(listener, stopping)
        listener.close()
        for proc in procs:
            if proc.pid is not None:
                proc.join(STOP_SECONDS)
                if proc.exitcode is None:
                    proc.kill()
                    proc.join()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
