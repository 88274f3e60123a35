"""``detente serve --workers N``: N uvicorn processes on one port, the kernel sharing the
connections out between them.

uvicorn's own workers all listen on one socket, and whichever wakes first accepts every
connection that is waiting (asyncio accepts up to the backlog at once): 50 clients that
connect together all landed on one process while the other idled (``benchmarks/api.py
--workers 2``: 4.2 s of CPU in one worker, 0.01 s in the other). Here each process listens on
a socket of its own bound to the same port with ``SO_REUSEPORT``, and Linux spreads new
connections over the sockets by a hash of the client's address and port. Elsewhere (no
``SO_REUSEPORT`` that balances) the command falls back to uvicorn's workers.
"""

from __future__ import annotations

import multiprocessing
import multiprocessing.connection
import signal
import socket
import sys
from typing import Any

#: uvicorn's app factory in each process; it reads the store and settings that
#: ``detente serve`` put in the environment (:data:`detente.api.app.WORKER_SETTINGS`)
FACTORY = "detente.api.app:app_from_environment"
#: seconds a process has to finish its requests once asked to stop, before it is killed
STOP_SECONDS = 30.0


def balanced() -> bool:
    """Whether this system spreads connections over sockets sharing a port (Linux)."""
    return sys.platform.startswith("linux") and hasattr(socket, "SO_REUSEPORT")


def bind(host: str, port: int, shared: bool = True) -> socket.socket:
    """A TCP socket bound to ``host:port``; ``shared``: one that other sockets may share
    (``SO_REUSEPORT``)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        if shared:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        sock.bind((host, port))
    except OSError:
        sock.close()
        raise
    return sock


def _serve_one(host: str, port: int, options: dict[str, Any]) -> None:
    """One worker process: its own listening socket on the shared port, one uvicorn server."""
    import uvicorn

    sock = bind(host, port)
    sock.listen(2048)
    uvicorn.Server(uvicorn.Config(FACTORY, factory=True, **options)).run(sockets=[sock])


def run(workers: int, host: str, port: int, options: dict[str, Any]) -> int:
    """Serve with ``workers`` processes on ``host:port`` until a signal (SIGINT, SIGTERM,
    SIGHUP) stops them or one of them fails; the exit status (0 when stopped by a signal).
    OSError when the port cannot be had (another server listens on it, say).

    ``options`` are uvicorn's ``Config`` settings (log level, keep-alive...). The port is
    held by a bound socket in this process while the workers run, so nothing else takes it
    between their starts."""
    # first bound alone: a port another server listens on is refused (sockets that share a
    # port would otherwise share it with any server of this user that shares it too)
    with bind(host, port, shared=False) as alone:
        port = alone.getsockname()[1]  # port 0: one the system chose, the same for all
    holder = bind(host, port)  # bound, not listening: it gets no connections
    context = multiprocessing.get_context("spawn")
    procs = [context.Process(target=_serve_one, args=(host, port, options),
                             name=f"detente-serve-{i + 1}") for i in range(workers)]
    stopping = False

    def stop(*_: Any) -> None:
        nonlocal stopping
        stopping = True
        for proc in procs:
            if proc.pid is not None and proc.exitcode is None:
                proc.terminate()  # SIGTERM: uvicorn finishes the requests it has, then exits

    previous = {sig: signal.signal(sig, stop)
                for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)}
    failed = 0
    try:
        for proc in procs:
            proc.start()
        while running := [p for p in procs if p.exitcode is None]:
            multiprocessing.connection.wait([p.sentinel for p in running])
            for proc in procs:
                if proc.exitcode not in (None, 0) and not stopping:
                    print(f"detente serve: worker {proc.name} exited with status "
                          f"{proc.exitcode}; stopping the others", file=sys.stderr)
                    failed = 1
                    stop()
        return failed
    finally:
        for proc in procs:
            if proc.pid is not None:
                proc.join(STOP_SECONDS)
                if proc.exitcode is None:
                    proc.kill()
                    proc.join()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        holder.close()
