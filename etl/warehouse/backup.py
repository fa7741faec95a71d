"""Backups: a consistent copy of the warehouse, the stored returns and instance/, with a manifest of SHA-256 sums."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import socket
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from etl import private_files
from etl.paths import instance_dir, returns_dir
from etl.warehouse.connection import ensure_readers_copy
from etl.warehouse.errors import WarehouseError
from etl.warehouse.integrity import file_sha256, read_back
from etl.warehouse.location import warehouse_path
from etl.warehouse.locks import file_lock
from etl.warehouse.paced_copy import copy_and_hash, forget_cached
from etl.warehouse.published import COPY_INFIX, VERSION_SUFFIX, published_copy

MANIFEST_NAME = "manifest.json"
SUMS_NAME = "SHA256SUMS"  # the same sums in the form `sha256sum -c` reads
FORMAT = "aptmon-backup/1"
WAREHOUSE_PART, RETURNS_PART, INSTANCE_PART = "warehouse", "returns", "instance"
# Under instance/: what is no one's data and must not come back (files waiting for a Submit, the check slots'
# lock files, the sign-in counters, which SQLite may be writing now and which a restore should start afresh).
_INSTANCE_SKIPPED = ("uploads", "checks", "rate-limits.sqlite3")
_COPY_ATTEMPTS = 5


class BackupError(WarehouseError):
    """A backup cannot be taken or restored as asked; the message says what to do."""


@dataclass
class BackupSummary:
    """What a backup holds, or what a restore put back."""

    folder: Path
    files: int
    size: int
    schema_version: int | None
    submissions: int


def take_backup(target: str | os.PathLike, warehouse_file: str | os.PathLike | None = None) -> BackupSummary:
    """Copy the warehouse as of its last commit, then the stored returns and instance/, into a new folder `target`.

    The warehouse comes from the readers' copy the last commit published, which never changes once written: no lock is
    taken, so neither readers nor an upload in progress wait (without such a copy, one is published first, under the
    writer's lock for the moment a checkpoint takes). Returns stored after that commit may come along, unlisted
    in the log; none the copy lists is missing, as a return is stored before its row commits.
    The folder appears under its name only once complete.
    """
    target = Path(target)
    if target.exists():
        raise BackupError(f"{target} already exists; give `aptmon backup` a new folder's name.")
    db = warehouse_path(warehouse_file)
    if not db.exists():
        raise BackupError(f"No warehouse at {db}. Nothing to back up.")
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".{target.name}.partial-{os.getpid()}")
    shutil.rmtree(partial, ignore_errors=True)
    private_files.private_dir(partial)  # password hashes and every country's returns: the service's account only
    try:
        files = [_copy_warehouse(db, partial / WAREHOUSE_PART / db.name)]
        files += _copy_tree(returns_dir(), partial / RETURNS_PART, skipped=())
        files += _copy_tree(instance_dir(), partial / INSTANCE_PART, skipped=_INSTANCE_SKIPPED)
        schema_version, submissions = _describe(partial / WAREHOUSE_PART / db.name)
        for copied in files:  # nobody reads them again soon: the backup leaves the page cache to the readers
            forget_cached(partial / copied["path"])
        manifest = {
            "format": FORMAT,
            "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "host": socket.gethostname(),
            "warehouse": f"{WAREHOUSE_PART}/{db.name}",
            "schema_version": schema_version,
            "submissions": submissions,
            "files": files,
        }
        _write_private(partial / MANIFEST_NAME, json.dumps(manifest, indent=2) + "\n")
        _write_private(partial / SUMS_NAME, "".join(f"{f['sha256']}  {f['path']}\n" for f in files))
        os.rename(partial, target)
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    return BackupSummary(target, len(files), sum(f["size"] for f in files), schema_version, submissions)


def _copy_warehouse(db: Path, destination: Path) -> dict:
    """Copy the readers' copy of the last commit (publishing one first if there is none)."""
    for _ in range(_COPY_ATTEMPTS):
        source = published_copy(db)
        if source is None:
            ensure_readers_copy(db)
            continue
        try:
            handle = open(source, "rb")  # noqa: SIM115 (held open: a later commit may unlink the name meanwhile)
        except FileNotFoundError:
            continue  # dropped by two later commits since its version was read: take the newest
        with handle:
            return _copy_open_file(handle, destination, f"{WAREHOUSE_PART}/{db.name}")
    raise BackupError(f"The warehouse {db.name} changed too often to copy; try again when fewer uploads run.")


def _copy_tree(root: Path, destination: Path, skipped: tuple[str, ...]) -> list[dict]:
    if not root.is_dir():
        return []
    copied = []
    for path in sorted(root.rglob("*")):
        relative = path.relative_to(root)
        if relative.parts[0] in skipped or relative.parts[0].startswith(skipped) or not path.is_file():
            continue
        try:
            with open(path, "rb") as handle:
                copied.append(_copy_open_file(handle, destination / relative, f"{destination.name}/{relative}"))
        except FileNotFoundError:
            continue  # removed meanwhile (an orphan cleared, a staged file gone): not part of the data any more
    return copied


def _copy_open_file(handle, destination: Path, name: str) -> dict:
    private_files.private_dir(destination.parent)
    fd = os.open(destination, os.O_WRONLY | os.O_CREAT | os.O_EXCL, private_files.PRIVATE_FILE_MODE)
    try:
        size, sha256 = copy_and_hash(handle, fd)
    finally:
        os.close(fd)
    return {"path": name, "size": size, "sha256": sha256}


def _describe(copy: Path) -> tuple[int | None, int]:
    """The copy's schema version and number of uploads, read back in full first: a backup that does not open is
    no backup."""
    con = duckdb.connect(str(copy), read_only=True)
    try:
        # One core for the read-back (it is a few tenths of a second of CPU): the other stays free for the readers.
        con.execute("SET threads = 1")
        damaged = read_back(con)
        if damaged:
            raise BackupError(f"The warehouse cannot be read back ({damaged[0]}); run `aptmon check`.")
        tables = {name for (name,) in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
        version = None
        if "schema_versions" in tables:
            version = con.execute("SELECT max(version) FROM schema_versions").fetchone()[0]
        return version, con.execute("SELECT count(*) FROM submissions").fetchone()[0]
    finally:
        con.close()


def _write_private(path: Path, text: str) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, private_files.PRIVATE_FILE_MODE)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        out.write(text)


def verify_backup(folder: str | os.PathLike) -> dict:
    """The backup's manifest, once every file it lists is there with its size and SHA-256; else BackupError."""
    folder = Path(folder)
    try:
        manifest = json.loads((folder / MANIFEST_NAME).read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise BackupError(f"{folder} holds no {MANIFEST_NAME}: it is not a backup made by `aptmon backup`.") from exc
    except (OSError, ValueError) as exc:
        raise BackupError(f"{folder}/{MANIFEST_NAME} cannot be read; the backup is damaged.") from exc
    if manifest.get("format") != FORMAT:
        raise BackupError(f"{folder} is a backup of an unknown format ({manifest.get('format')!r}).")
    wrong = []
    for entry in manifest["files"]:
        path = _inside(folder, entry["path"])
        if not path.is_file():
            wrong.append(f"{entry['path']} is missing")
        elif path.stat().st_size != entry["size"] or file_sha256(path) != entry["sha256"]:
            wrong.append(f"{entry['path']} differs from its SHA-256")
    if wrong:
        more = f" and {len(wrong) - 3} more" if len(wrong) > 3 else ""
        raise BackupError(f"The backup {folder} is damaged: {'; '.join(wrong[:3])}{more}. Nothing was restored.")
    return manifest


def restore_backup(
    folder: str | os.PathLike, warehouse_file: str | os.PathLike | None = None, replace: bool = False
) -> BackupSummary:
    """Check a backup, then put it back: the warehouse at `warehouse_file` (any path), the returns under
    returns_dir() and instance/ under instance_dir(). Stop the server first; its next start upgrades the warehouse
    if the backup is of an earlier release."""
    folder = Path(folder)
    manifest = verify_backup(folder)
    db = warehouse_path(warehouse_file)
    if db.exists() and not replace:
        raise BackupError(f"{db} already exists; stop the server and pass --replace to overwrite it.")
    db.parent.mkdir(parents=True, exist_ok=True)
    entries = manifest["files"]
    with file_lock(db, exclusive=True, timeout=60.0):
        for entry in entries:
            part, _, rest = entry["path"].partition("/")
            if part == WAREHOUSE_PART:
                _put_back(_inside(folder, entry["path"]), db)
                _forget_readers_copies(db)
            elif part == RETURNS_PART:
                _put_back(_inside(folder, entry["path"]), _inside(returns_dir(), rest))
            elif part == INSTANCE_PART:
                _put_back(_inside(folder, entry["path"]), _inside(instance_dir(), rest))
    return BackupSummary(
        folder,
        len(entries),
        sum(e["size"] for e in entries),
        manifest.get("schema_version"),
        manifest.get("submissions", 0),
    )


def _inside(root: Path, relative: str) -> Path:
    """root/relative, refused if a manifest's path would lead outside root (`..`, an absolute path)."""
    path = (root / relative).resolve()
    if not path.is_relative_to(root.resolve()):
        raise BackupError(f"The backup names a file outside its folders ({relative}); it was not made by aptmon.")
    return path


def _put_back(source: Path, destination: Path) -> None:
    """Copy aside, then rename into place: a restore cut short never leaves half a file under the real name."""
    private_files.private_dir(destination.parent)
    temporary = destination.with_name(f".{destination.name}.restoring-{os.getpid()}")
    try:
        shutil.copyfile(source, temporary)
        private_files.make_private(temporary)
        os.replace(temporary, destination)
    finally:
        with contextlib.suppress(FileNotFoundError):
            temporary.unlink()


def _forget_readers_copies(db: Path) -> None:
    """The old warehouse's write-ahead log, readers' copies and version belong to the file just replaced."""
    for stale in [db.with_name(db.name + ".wal"), db.with_name(db.name + VERSION_SUFFIX)]:
        stale.unlink(missing_ok=True)
    for copy in db.parent.glob(db.name + COPY_INFIX + "*"):
        copy.unlink(missing_ok=True)
