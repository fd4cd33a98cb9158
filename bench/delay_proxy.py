#!/usr/bin/env python3
"""A TCP relay that adds a fixed one-way delay in each direction.

  delay_proxy.py LISTEN_PORT TARGET_PORT DELAY_MS READY_FILE
  delay_proxy.py --probe PORT     prints the round-trip time of an IMAP NOOP, in ms

For the benchmark's latency case where the kernel has no netem qdisc: every
chunk read from one side is written to the other DELAY_MS after it arrived,
in order, without holding up the chunks behind it (a propagation delay, not a
bandwidth limit), so the round-trip time grows by twice DELAY_MS. Listens on
127.0.0.1 only; writes its port to READY_FILE once listening.
"""
import asyncio
import socket
import sys
import time


async def pump(reader, writer, delay):
    queue = asyncio.Queue()

    async def release():
        while True:
            due, data = await queue.get()
            if data is None:
                break
            wait = due - time.monotonic()
            if wait > 0:
                await asyncio.sleep(wait)
            writer.write(data)
            await writer.drain()
        try:
            writer.write_eof()
        except (OSError, RuntimeError):
            pass

    sender = asyncio.ensure_future(release())
    try:
        while True:
            data = await reader.read(256 * 1024)
            queue.put_nowait((time.monotonic() + delay, data or None))
            if not data:
                break
        await sender
    except (ConnectionError, OSError):
        sender.cancel()
    finally:
        writer.close()


async def serve(listen_port, target_port, delay, ready_file):
    async def handle(client_reader, client_writer):
        try:
            server_reader, server_writer = await asyncio.open_connection("127.0.0.1", target_port)
        except OSError:
            client_writer.close()
            return
        for w in (client_writer, server_writer):
            w.get_extra_info("socket").setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        await asyncio.gather(pump(client_reader, server_writer, delay),
                             pump(server_reader, client_writer, delay), return_exceptions=True)

    server = await asyncio.start_server(handle, "127.0.0.1", listen_port)
    with open(ready_file, "w") as f:
        f.write(str(server.sockets[0].getsockname()[1]))
    async with server:
        await server.serve_forever()


def probe(port):
    with socket.create_connection(("127.0.0.1", port)) as s:
        f = s.makefile("rb")
        f.readline()  # greeting
        best = None
        for i in range(5):
            start = time.monotonic()
            s.sendall(b"p%d NOOP\r\n" % i)
            while not f.readline().startswith(b"p%d " % i):
                pass
            took = (time.monotonic() - start) * 1000
            best = took if best is None else min(best, took)
        s.sendall(b"q LOGOUT\r\n")
    print("%.1f" % best)


if __name__ == "__main__":
    if sys.argv[1] == "--probe":
        probe(int(sys.argv[2]))
    else:
        asyncio.run(serve(int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]) / 1000.0, sys.argv[4]))
