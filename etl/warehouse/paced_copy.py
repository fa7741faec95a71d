"""Copying a large file beside the dashboard's readers: hashed as it is written, its writeback paced chunk by chunk."""

from __future__ import annotations

import contextlib
import ctypes
import hashlib
import os
from pathlib import Path
from typing import BinaryIO

# Small enough that the disk is never handed more than two chunks of ours at once (8 MiB: under a tenth of a second
# even on a slow disk), large enough that the calls per chunk cost nothing beside the copying.
CHUNK = 4 * 1024 * 1024
_WAIT_BEFORE, _WRITE, _WAIT_AFTER = 1, 2, 4  # SYNC_FILE_RANGE_* of <fcntl.h>


def _libc_sync_file_range():
    """Linux's sync_file_range(2), which Python's os module lacks; None where the C library has none."""
    try:
        function = ctypes.CDLL(None, use_errno=True).sync_file_range
    except (OSError, AttributeError):
        return None
    function.argtypes = (ctypes.c_int, ctypes.c_int64, ctypes.c_int64, ctypes.c_uint)
    function.restype = ctypes.c_int
    return function


_sync_file_range = _libc_sync_file_range()


def copy_and_hash(source: BinaryIO, out_fd: int) -> tuple[int, str]:
    """Copy the rest of `source` into the open file `out_fd`, durably; return the size and SHA-256 of what was written.

    One pass over the data: the sum is taken from each chunk as it is written, not by reading the copy again. Each
    chunk goes to the disk as soon as it is written and is waited for one chunk later, so the copy never has more
    than two chunks in flight: an fsync at the end of a copy made in one go hands the disk the whole file at once,
    and every other process's reads and commits queue behind it. The closing fsync then has only the last chunk and
    the file's metadata left to write.
    """
    digest = hashlib.sha256()
    buffer = bytearray(CHUNK)
    view = memoryview(buffer)
    size = 0
    paced = _sync_file_range is not None
    while read := source.readinto(buffer):
        digest.update(view[:read])
        written = 0
        while written < read:
            written += os.write(out_fd, view[written:read])
        if paced:
            paced = _start_writeback(out_fd, size, read) and _finish_writeback(out_fd, size - CHUNK)
        size += read
    os.fsync(out_fd)
    return size, digest.hexdigest()


def _start_writeback(fd: int, offset: int, length: int) -> bool:
    """Hand the disk this chunk now, without waiting for it; False where the file system cannot (then fsync does)."""
    return _sync_file_range(fd, offset, length, _WRITE) == 0


def _finish_writeback(fd: int, offset: int) -> bool:
    """Wait until the chunk at `offset` is on the disk (the one before the chunk just handed over)."""
    if offset < 0:
        return True  # the first chunk: nothing before it in flight
    return _sync_file_range(fd, offset, CHUNK, _WAIT_BEFORE | _WRITE | _WAIT_AFTER) == 0


def forget_cached(path: Path) -> None:
    """Drop a written, synced file's pages from the page cache, where they would crowd the readers' pages."""
    with contextlib.suppress(FileNotFoundError):
        fd = os.open(path, os.O_RDONLY)
        try:
            with contextlib.suppress(AttributeError):  # a platform without posix_fadvise keeps them cached
                os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
        finally:
            os.close(fd)
