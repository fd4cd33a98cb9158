#!/usr/bin/env python3
"""A POP3 front for the test Dovecot that hides PIPELINING from CAPA.

Dovecot 2.3 always advertises PIPELINING and has no setting to hide it, so
tests of clients talking to servers without it go through this relay:

    pop3-capa-filter.py PLAIN_PORT TLS_PORT BACKEND_PORT CERT KEY READY_FILE

It listens on 127.0.0.1:PLAIN_PORT (plaintext, with STLS) and on
127.0.0.1:TLS_PORT (implicit TLS), and relays every session to Dovecot's
plaintext POP3 listener on 127.0.0.1:BACKEND_PORT. TLS ends here, with the
test server's own certificate. Responses are followed command by command, so
only the CAPA response is edited (message data is relayed untouched): the
PIPELINING line is dropped, and so is STLS once the session is encrypted.
READY_FILE is written once both ports listen; a bind failure exits with
status 3 ("address in use") so the start script can retry with other ports.
"""

import asyncio
import collections
import errno
import os
import signal
import ssl
import sys

MULTILINE_ALWAYS = {"CAPA", "RETR", "TOP"}
MULTILINE_WITHOUT_ARGUMENT = {"LIST", "UIDL"}


class Session:
    def __init__(self, client_reader, client_writer, tls_context, backend_port, encrypted):
        self.client_reader = client_reader
        self.client_writer = client_writer
        self.tls_context = tls_context
        self.backend_port = backend_port
        self.encrypted = encrypted
        self.pending = collections.deque()  # commands awaiting their status line
        self.in_sasl = False  # the next client line answers an AUTH challenge
        self.greeted = False

    async def run(self):
        try:
            self.backend_reader, self.backend_writer = await asyncio.open_connection(
                "127.0.0.1", self.backend_port)
        except OSError:
            self.client_writer.close()
            return
        upstream = asyncio.ensure_future(self.client_to_backend())
        downstream = asyncio.ensure_future(self.backend_to_client())
        await asyncio.wait([upstream, downstream], return_when=asyncio.FIRST_COMPLETED)
        for task in (upstream, downstream):
            task.cancel()
        for writer in (self.client_writer, self.backend_writer):
            try:
                writer.close()
            except Exception:
                pass

    async def client_to_backend(self):
        while True:
            line = await self.client_reader.readline()
            if not line:
                return
            if self.in_sasl:
                self.in_sasl = False
                self.backend_writer.write(line)
                await self.backend_writer.drain()
                continue
            words = line.decode("latin-1").split()
            command = words[0].upper() if words else ""
            if command == "STLS":
                await self.start_tls()
                continue
            self.pending.append((command, len(words) - 1))
            self.backend_writer.write(line)
            await self.backend_writer.drain()

    async def start_tls(self):
        if self.encrypted or self.pending:
            self.client_writer.write(b"-ERR STLS is not possible now.\r\n")
            await self.client_writer.drain()
            return
        self.client_writer.write(b"+OK Begin TLS negotiation now.\r\n")
        await self.client_writer.drain()
        await self.client_writer.start_tls(self.tls_context)
        self.encrypted = True

    async def backend_to_client(self):
        while True:
            line = await self.backend_reader.readline()
            if not line:
                return
            await self.forward_status(line)

    async def forward_status(self, line):
        if not self.greeted:
            self.greeted = True
            await self.send(line)
            return
        if line.startswith(b"+ ") or line.rstrip(b"\r\n") == b"+":
            self.in_sasl = True  # a SASL challenge; AUTH still awaits its result
            await self.send(line)
            return
        command, arguments = self.pending.popleft() if self.pending else ("", 0)
        await self.send(line)
        multiline = command in MULTILINE_ALWAYS or (
            command in MULTILINE_WITHOUT_ARGUMENT and arguments == 0)
        if line.startswith(b"+OK") and multiline:
            await self.forward_data(editing_capa=command == "CAPA")

    async def forward_data(self, editing_capa):
        hidden = {b"PIPELINING"}
        if self.encrypted:
            hidden.add(b"STLS")
        while True:
            line = await self.backend_reader.readline()
            if not line:
                return
            if editing_capa and line.rstrip(b"\r\n").upper() in hidden:
                continue
            await self.send(line)
            if line == b".\r\n" or line == b".\n":
                return

    async def send(self, data):
        self.client_writer.write(data)
        await self.client_writer.drain()


async def main():
    plain_port, tls_port, backend_port = (int(a) for a in sys.argv[1:4])
    cert, key, ready_file = sys.argv[4:7]
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)

    def handler(tls):
        async def handle(reader, writer):
            await Session(reader, writer, context, backend_port, tls).run()
        return handle

    try:
        plain = await asyncio.start_server(handler(False), "127.0.0.1", plain_port)
        implicit = await asyncio.start_server(handler(True), "127.0.0.1", tls_port, ssl=context)
    except OSError as e:
        print(f"pop3-capa-filter: cannot listen: {e}", file=sys.stderr)
        sys.exit(3 if e.errno == errno.EADDRINUSE else 1)

    with open(ready_file, "w") as f:
        f.write(f"{os.getpid()}\n")
    stop = asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        asyncio.get_running_loop().add_signal_handler(sig, stop.set)
    async with plain, implicit:
        await stop.wait()


if __name__ == "__main__":
    asyncio.run(main())
