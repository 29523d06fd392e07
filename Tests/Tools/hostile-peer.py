#!/usr/bin/env python3
"""A local program that loads the agent the way another user (or a busy
browser) could: it holds SOCKETS loopback sockets of its own, closing and
reopening some every round so the kernel's tables churn, and keeps up to
CONNECTIONS connections to the agent's port, each sending a request, opening
new ones at most RATE a second as the agent closes them. Runs for SECONDS,
prints "ready" once its sockets are open, then one JSON line of counts.
Bounded in count and time; talks to 127.0.0.1 only."""
import json
import resource
import selectors
import socket
import sys
import time


def main():
    port, connections, sockets, seconds, rate = (int(a) for a in sys.argv[1:6])
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(4096)
    pairs = []

    def open_pair():
        client = socket.create_connection(listener.getsockname())
        server, _ = listener.accept()
        pairs.append((client, server))

    for _ in range(sockets // 2):
        open_pair()
    print("ready", flush=True)

    selector = selectors.DefaultSelector()
    request = f"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n".encode()
    open_now = 0
    opened = answered = refused = 0
    end = time.monotonic() + seconds
    budget, budget_at = rate, time.monotonic()
    churn = 0
    while time.monotonic() < end:
        now = time.monotonic()
        if now - budget_at >= 1:
            budget, budget_at = rate, now
        while open_now < connections and budget > 0:
            s = socket.socket()
            s.setblocking(False)
            s.connect_ex(("127.0.0.1", port))
            selector.register(s, selectors.EVENT_WRITE, "connecting")
            open_now += 1
            opened += 1
            budget -= 1
        for key, _ in selector.select(timeout=0.05):
            s = key.fileobj
            if key.data == "connecting":
                try:
                    s.send(request)
                    selector.modify(s, selectors.EVENT_READ, "sent")
                except OSError:
                    selector.unregister(s)
                    s.close()
                    open_now -= 1
                    refused += 1
                continue
            try:
                data = s.recv(4096)
            except OSError:
                data = b""
            if data:
                answered += 1
            else:
                refused += 1
            selector.unregister(s)
            s.close()
            open_now -= 1
        # Churn a slice of the held sockets each round.
        for _ in range(min(100, len(pairs))):
            client, server = pairs[churn % len(pairs)]
            client.close()
            server.close()
            c = socket.create_connection(listener.getsockname())
            sv, _ = listener.accept()
            pairs[churn % len(pairs)] = (c, sv)
            churn += 1
    print(json.dumps({"opened": opened, "answered": answered, "closed_unanswered": refused,
                      "held_sockets": 2 * len(pairs), "churned": churn}), flush=True)


main()
