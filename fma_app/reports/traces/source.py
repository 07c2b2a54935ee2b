"""Opening a trace file: decompression by magic bytes, limits, and the one-line problem.

Whole-document JSON is parsed in one piece, so its size is capped; JSON lines are streamed a
line at a time (each line capped), so a large export reads in bounded memory.
"""

from __future__ import annotations

import contextlib
import gzip
import io
import json
import os
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

MAX_DOCUMENT_BYTES = 256 * 1024 * 1024
MAX_LINE_BYTES = 64 * 1024 * 1024
_READ_CHUNK = 1024 * 1024
GZIP_MAGIC = b"\x1f\x8b"
ZSTD_MAGIC = b"\x28\xb5\x2f\xfd"
BOM = b"\xef\xbb\xbf"


class TraceFileError(Exception):
    """A trace file that cannot be read: one line naming the file and the problem."""

    def __init__(self, path: str | os.PathLike[str], problem: str) -> None:
        self.path, self.problem = str(path), " ".join(problem.split())
        super().__init__(f"{self.path}: {self.problem}")


class FormatProblemError(Exception):
    """A problem inside a file, before the reader adds the file's name."""


@contextlib.contextmanager
def open_decompressed(path: Path) -> Iterator[IO[bytes]]:
    """The file's bytes, through gzip or zstd when its first bytes say it is compressed."""
    with open(path, "rb") as raw:
        magic = raw.read(4)
        raw.seek(0)
        if magic[:2] == GZIP_MAGIC:
            with gzip.GzipFile(fileobj=raw, mode="rb") as unzipped:
                yield io.BufferedReader(unzipped, _READ_CHUNK)
        elif magic == ZSTD_MAGIC:
            with _zstd_stream(raw) as unzstd:
                yield unzstd
        else:
            yield raw


def _zstd_stream(raw: IO[bytes]) -> IO[bytes]:
    try:
        import zstandard
    except ImportError:
        raise FormatProblemError(
            "the file is zstd-compressed and the zstandard package is not installed"
            " (pip install zstandard)"
        ) from None
    reader = zstandard.ZstdDecompressor().stream_reader(raw, read_across_frames=True, closefd=True)
    return io.BufferedReader(reader, _READ_CHUNK)


def decompression_problem(error: Exception) -> str | None:
    """The message for an error of gzip or zstd, or None if it is neither."""
    if isinstance(error, gzip.BadGzipFile | zlib.error | EOFError):
        return "the gzip data is truncated or damaged"
    if type(error).__module__.startswith("zstandard") or "zstd" in type(error).__name__.lower():
        return "the zstd data is truncated or damaged"
    return None


def read_limited(stream: IO[bytes], limit: int, what: str) -> bytes:
    """The rest of the stream, refusing past `limit` bytes (a decompression bomb stops here)."""
    data = stream.read(limit + 1)
    if len(data) > limit:
        raise FormatProblemError(
            f"{what} is larger than {limit // (1024 * 1024)} MB; the OpenTelemetry Collector's"
            " file exporter writes JSON lines, which are read a line at a time"
        )
    return data


def iter_lines(stream: IO[bytes], first_number: int = 1) -> Iterator[tuple[int, bytes]]:
    """(line number, line) for every line, each at most MAX_LINE_BYTES."""
    number = first_number
    while True:
        line = stream.readline(MAX_LINE_BYTES + 1)
        if not line:
            return
        if len(line) > MAX_LINE_BYTES:
            raise FormatProblemError(f"line {number} is longer than {MAX_LINE_BYTES // 2**20} MB")
        yield number, line
        number += 1


def parse_json(data: bytes, where: str = "") -> Any:
    """json.loads with the user's message for each way it fails."""
    try:
        return json.loads(data)
    except RecursionError:
        raise FormatProblemError(f"{where}JSON nested too deeply to be trace data") from None
    except UnicodeDecodeError:
        raise FormatProblemError(f"{where}not UTF-8 text") from None
    except json.JSONDecodeError as error:
        if error.pos >= len(data.rstrip()):
            problem = "JSON ends early (the file is truncated)"
        else:
            problem = f"not valid JSON ({error.msg} at line {error.lineno} column {error.colno})"
        raise FormatProblemError(f"{where}{problem}") from None


def describe_start(head: bytes) -> str:
    """How a file that is not trace data starts, for the message."""
    text = head[:64].split(b"\n", 1)[0].rstrip(b"\r")[:24]
    if text and all(32 <= byte < 127 or byte == 9 for byte in text):
        return f"it starts with {text.decode()!r}"
    return "it starts with binary data"
