"""``detente serve``: the REST API and the dashboard over a store. FastAPI and uvicorn are
imported when the command runs, not when ``detente`` starts."""

from __future__ import annotations

import ipaddress
import os
from typing import Any

import click

LOOPBACK_NAMES = ("localhost", "127.0.0.1", "::1")


def is_loopback(host: str) -> bool:
    if host in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@click.command()
@click.option("--db", default="detente.duckdb", show_default=True, envvar="DETENTE_DB",
              type=click.Path(dir_okay=False), help="The store file (DuckDB); also $DETENTE_DB.")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on. Anything but loopback opens the server to others, "
                   "and then $DETENTE_TOKEN must be set: POST requests need it.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535),
              help="Port to listen on.")
@click.option("--log-level", default="warning", show_default=True,
              type=click.Choice(["critical", "error", "warning", "info", "debug"]),
              help="How much uvicorn logs (info: every request).")
@click.option("--extract-rate", default=120.0, show_default=True, type=click.FloatRange(0),
              help="POST /api/extract requests a minute per client (0: no limit).")
@click.option("--workers", default=1, show_default=True, type=click.IntRange(1, 64),
              help="Processes serving requests. One process runs Python on one core at a "
                   "time; with many clients, give it the machine's cores (each process keeps "
                   "its own query cache and, once POST /api/extract is used, its own model).")
def serve(db: str, host: str, port: int, log_level: str, extract_rate: float,
          workers: int) -> None:
    """Serve the dashboard and the JSON API over a store (read-only).

    Pages: / (overview), /dyad, /network, /events, /quotes, /stances, /articles/ID,
    /analyse. JSON: the same paths under /api/, described at /openapi.json. POST
    /api/extract needs `Authorization: Bearer $DETENTE_TOKEN` whenever $DETENTE_TOKEN is set,
    which it must be when --host is not a loopback address.
    """
    token = os.environ.get("DETENTE_TOKEN") or None
    if not is_loopback(host) and not token:
        raise click.UsageError(
            f"--host {host} lets other machines in: set DETENTE_TOKEN to a secret first "
            f"(e.g. export DETENTE_TOKEN=$(python -c 'import secrets; "
            f"print(secrets.token_urlsafe(24))')); clients send it as "
            f"'Authorization: Bearer $DETENTE_TOKEN' with POST requests")
    import uvicorn

    from detente.api import processes
    from detente.api.app import WORKER_SETTINGS, create_app
    from detente.errors import DetenteError
    from detente.store import Store

    app: Any
    try:
        if workers == 1:
            app = create_app(db, token=token, extract_per_minute=extract_rate)
        else:
            # each worker opens the store for itself; opening it here first makes a store
            # that cannot be opened one clear message instead of one traceback a worker
            Store(db, read_only=True).close()
            os.environ.update(zip(WORKER_SETTINGS, (db, str(extract_rate), str(workers)),
                                  strict=True))
            app = processes.FACTORY
    except DetenteError as err:
        raise click.ClickException(str(err)) from err
    shown = "127.0.0.1" if host in ("0.0.0.0", "::") else host
    shown = f"[{shown}]" if ":" in shown else shown
    click.echo(f"detente: serving {db} at http://{shown}:{port}/ "
               f"(API: http://{shown}:{port}/api/docs; Ctrl-C to stop)"
               + ("; POST needs $DETENTE_TOKEN" if token else ""), err=True)
    # keep idle connections 75 s (uvicorn's 5 s default closes them under clients that are
    # about to reuse them: a dashboard's or a load balancer's pool then sees resets)
    options: dict[str, Any] = {"log_level": log_level, "access_log": False,
                               "server_header": False, "timeout_keep_alive": 75}
    if workers > 1 and processes.balanced():
        try:
            status = processes.run(workers, host, port, options)
        except OSError as err:
            raise click.ClickException(
                f"cannot listen on {host}:{port}: {err.strerror or err}; is another server "
                f"using the port? Stop it or give another --port") from err
        raise SystemExit(status)
    uvicorn.run(app, host=host, port=port, workers=workers, factory=workers > 1, **options)
