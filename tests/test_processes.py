"""How ``detente serve --workers N`` deals connections (detente.api.processes), without
starting workers: the dealing thread, real sockets and real pipes."""

from __future__ import annotations

import errno
import multiprocessing
import socket
import threading
from multiprocessing.reduction import recv_handle

import pytest

from detente.api import processes

pytestmark = pytest.mark.skipif(not processes.balanced(), reason="sockets cannot be handed over")


class FlakyListener:
    """A listening socket whose first accept() fails as a client gone too soon does."""

    def __init__(self, sock: socket.socket) -> None:
        self.sock, self.failed = sock, False

    def accept(self) -> tuple[socket.socket, object]:
        if not self.failed:
            self.failed = True
            raise OSError(errno.ECONNABORTED, "connection aborted")
        return self.sock.accept()


def served(inbox, client: socket.socket) -> None:
    """The connection handed over ``inbox`` is ``client``'s: what it writes, client reads."""
    with socket.socket(fileno=recv_handle(inbox)) as sock:
        sock.sendall(b"dealt")
    assert client.recv(5) == b"dealt"


def test_connections_are_dealt_in_turn_past_a_failed_accept_and_a_gone_worker():
    listener = processes.bind("127.0.0.1", 0)
    listener.listen(16)
    pipes = [multiprocessing.Pipe() for _ in range(3)]
    pipes[1][1].close()  # the second worker is gone: its connections go to the next
    stopping = threading.Event()
    dealer = threading.Thread(target=processes._deal, daemon=True,
                              args=(FlakyListener(listener), [ours for ours, _ in pipes],
                                    stopping))
    dealer.start()
    clients = [socket.create_connection(listener.getsockname(), timeout=10)
               for _ in range(4)]
    try:
        # in turn: first, (second gone) third, first, third
        for client, (_, theirs) in zip(clients, [pipes[0], pipes[2], pipes[0], pipes[2]],
                                       strict=True):
            served(theirs, client)
    finally:
        for client in clients:
            client.close()
        processes._shut(listener, stopping)
        dealer.join(10)
        listener.close()
    assert not dealer.is_alive()  # shutting the listener ends the dealing
