"""An early-started server process (`baton._early_start`) driven like `anyio.open_process`'s.

The process was spawned with `subprocess.Popen` before the event loop ran; its pipes are handed
to the loop here (`connect_read_pipe` / `connect_write_pipe`, what asyncio's own subprocess
support uses), and its exit is awaited through a pidfd where Linux has one, else by polling.
asyncio only: under another anyio backend the early process is not adopted.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import subprocess
from typing import IO

import anyio
from anyio.abc import ByteReceiveStream, ByteSendStream, Process

__all__ = ["AdoptedProcess", "can_adopt"]

READ_LIMIT_BYTES = 1 << 16
# Where there is no pidfd to wait on, how often to look whether the process has exited.
EXIT_POLL_SEC = 0.02


def can_adopt() -> bool:
    """Whether this event loop can take over an early process (asyncio's can)."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:  # another anyio backend (trio)
        return False
    return True


class _PipeReader(ByteReceiveStream):
    def __init__(self, reader: asyncio.StreamReader, transport: asyncio.BaseTransport) -> None:
        self._reader, self._transport = reader, transport

    async def receive(self, max_bytes: int = READ_LIMIT_BYTES) -> bytes:
        data = await self._reader.read(max_bytes)
        if not data:
            raise anyio.EndOfStream
        return data

    async def aclose(self) -> None:
        self._transport.close()


class _PipeWriter(ByteSendStream):
    """Writes go into the transport's buffer whole, so concurrent senders never interleave."""

    def __init__(self, writer: asyncio.StreamWriter) -> None:
        self._writer = writer
        self._closed = False

    async def send(self, item: bytes) -> None:
        if self._closed:
            raise anyio.ClosedResourceError
        try:
            self._writer.write(item)
            await self._writer.drain()
        except (ConnectionResetError, BrokenPipeError, RuntimeError) as exc:
            raise anyio.BrokenResourceError from exc

    async def aclose(self) -> None:
        self._closed = True
        self._writer.close()


async def _reader(loop: asyncio.AbstractEventLoop, pipe: IO[bytes]) -> _PipeReader:
    reader = asyncio.StreamReader(limit=READ_LIMIT_BYTES, loop=loop)
    transport, _ = await loop.connect_read_pipe(
        lambda: asyncio.StreamReaderProtocol(reader, loop=loop), pipe
    )
    return _PipeReader(reader, transport)


async def _writer(loop: asyncio.AbstractEventLoop, pipe: IO[bytes]) -> _PipeWriter:
    # FlowControlMixin gives the writer its `drain()`; asyncio's subprocess protocol is one too.
    transport, protocol = await loop.connect_write_pipe(asyncio.streams.FlowControlMixin, pipe)
    return _PipeWriter(asyncio.StreamWriter(transport, protocol, None, loop))


class AdoptedProcess(Process):
    """A `subprocess.Popen` seen through anyio's `Process` interface."""

    def __init__(
        self, popen: subprocess.Popen[bytes], stdin: _PipeWriter, out: _PipeReader, err: _PipeReader
    ) -> None:
        self._popen = popen
        self._stdin, self._stdout, self._stderr = stdin, out, err

    @classmethod
    async def adopt(cls, popen: subprocess.Popen[bytes]) -> AdoptedProcess:
        """Hand the pipes of `popen` to the running asyncio loop."""
        assert popen.stdin and popen.stdout and popen.stderr
        loop = asyncio.get_running_loop()
        stdin = await _writer(loop, popen.stdin)
        return cls(
            popen, stdin, await _reader(loop, popen.stdout), await _reader(loop, popen.stderr)
        )

    async def wait(self) -> int:
        """Wait for the exit; the exit code (negative: the signal that ended it)."""
        while (code := self._popen.poll()) is None:
            await self._exit_signalled()
        return code

    async def _exit_signalled(self) -> None:
        try:
            pidfd = os.pidfd_open(self._popen.pid)
        except (AttributeError, OSError):  # not Linux >= 5.3, or already reaped
            await anyio.sleep(EXIT_POLL_SEC)
            return
        try:
            await anyio.wait_readable(pidfd)
        finally:
            os.close(pidfd)

    def terminate(self) -> None:
        """SIGTERM."""
        self.send_signal(signal.SIGTERM)

    def kill(self) -> None:
        """SIGKILL."""
        self.send_signal(signal.SIGKILL)

    def send_signal(self, signal: int) -> None:
        """Send `signal` unless the process has been reaped already."""
        with contextlib.suppress(ProcessLookupError):
            self._popen.send_signal(signal)

    @property
    def pid(self) -> int:
        """The process id."""
        return self._popen.pid

    @property
    def returncode(self) -> int | None:
        """The exit code once it has exited, else None."""
        return self._popen.poll()

    @property
    def stdin(self) -> ByteSendStream:
        """The server's stdin."""
        return self._stdin

    @property
    def stdout(self) -> ByteReceiveStream:
        """The server's stdout."""
        return self._stdout

    @property
    def stderr(self) -> ByteReceiveStream:
        """The server's stderr."""
        return self._stderr

    async def aclose(self) -> None:
        """Close the pipes and wait for the exit."""
        with anyio.CancelScope(shield=True):
            for stream in (self._stdin, self._stdout, self._stderr):
                await stream.aclose()
            await self.wait()
