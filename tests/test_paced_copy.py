"""The backup's paced copy: every byte copied, the SHA-256 of what was written, with or without paced writeback."""

from __future__ import annotations

import hashlib
import os
import sys

import pytest

from etl.warehouse import paced_copy


def _copy(source_path, destination):
    fd = os.open(destination, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with open(source_path, "rb") as source:
            return paced_copy.copy_and_hash(source, fd)
    finally:
        os.close(fd)


@pytest.mark.parametrize("size", [0, 1, paced_copy.CHUNK, 3 * paced_copy.CHUNK + 12_345])
def test_a_copy_holds_every_byte_and_the_sum_of_what_was_written(tmp_path, size):
    data = os.urandom(size)
    source = tmp_path / "source.bin"
    source.write_bytes(data)
    copied = _copy(source, tmp_path / "copy.bin")
    assert copied == (size, hashlib.sha256(data).hexdigest())
    assert (tmp_path / "copy.bin").read_bytes() == data


@pytest.mark.skipif(sys.platform != "linux", reason="sync_file_range is Linux's")
def test_each_chunk_goes_to_the_disk_as_it_is_written_and_is_waited_for_one_chunk_later(tmp_path, monkeypatch):
    calls = []
    real = paced_copy._sync_file_range
    assert real is not None

    def recorded(fd, offset, length, flags):
        calls.append((offset, length, flags))
        return real(fd, offset, length, flags)

    monkeypatch.setattr(paced_copy, "_sync_file_range", recorded)
    chunk = paced_copy.CHUNK
    (tmp_path / "source.bin").write_bytes(os.urandom(3 * chunk))
    _copy(tmp_path / "source.bin", tmp_path / "copy.bin")
    start, wait = 2, 1 | 2 | 4  # SYNC_FILE_RANGE_WRITE; WAIT_BEFORE | WRITE | WAIT_AFTER
    assert calls == [
        (0, chunk, start),
        (chunk, chunk, start),
        (0, chunk, wait),
        (2 * chunk, chunk, start),
        (chunk, chunk, wait),
    ]


def test_without_paced_writeback_the_copy_is_the_same(tmp_path, monkeypatch):
    monkeypatch.setattr(paced_copy, "_sync_file_range", None)  # a C library without sync_file_range
    data = os.urandom(2 * paced_copy.CHUNK + 7)
    source = tmp_path / "source.bin"
    source.write_bytes(data)
    assert _copy(source, tmp_path / "copy.bin") == (len(data), hashlib.sha256(data).hexdigest())
    assert (tmp_path / "copy.bin").read_bytes() == data


def test_a_file_dropped_from_the_cache_reads_back_the_same(tmp_path):
    data = os.urandom(paced_copy.CHUNK + 1)
    copy = tmp_path / "copy.bin"
    (tmp_path / "source.bin").write_bytes(data)
    _copy(tmp_path / "source.bin", copy)
    paced_copy.forget_cached(copy)
    paced_copy.forget_cached(tmp_path / "gone.bin")  # removed meanwhile: nothing to drop, no error
    assert copy.read_bytes() == data
