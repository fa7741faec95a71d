"""Files only the service's own account may read: the warehouse, stored returns, staged uploads, instance/ secrets."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

from etl.paths import instance_dir, returns_dir

PRIVATE_DIR_MODE = 0o700
PRIVATE_FILE_MODE = 0o600
# What the processes of the command line and the server create is private whatever umask they were started with.
PRIVATE_UMASK = 0o077


def private_dir(path: Path, *parts: str) -> Path:
    """Create a folder (and missing parents) readable by the owner only; an existing one is made private.

    With `parts`, the folders `path/parts[0]/parts[1]/...` too, each made private on the way: the deeper folder
    alone would leave the ones between it and `path` as the umask made them.
    """
    folder = Path(path)
    folder.mkdir(mode=PRIVATE_DIR_MODE, parents=True, exist_ok=True)
    make_private(folder, PRIVATE_DIR_MODE)
    for part in parts:
        folder = folder / part
        folder.mkdir(mode=PRIVATE_DIR_MODE, exist_ok=True)
        make_private(folder, PRIVATE_DIR_MODE)
    return folder


def make_private(path: Path, mode: int = PRIVATE_FILE_MODE) -> None:
    """Set a file's or folder's mode when it differs (a file another process removed meanwhile is fine)."""
    with contextlib.suppress(FileNotFoundError):
        if (os.stat(path).st_mode & 0o777) != mode:
            os.chmod(path, mode)


def restrict_umask() -> None:
    """Make every file this process creates from now on private (rw for the owner, nothing for others)."""
    os.umask(PRIVATE_UMASK)


def private_instance_dir(*parts: str) -> Path:
    """instance/ (or a folder in it), created readable by the service's account only."""
    return private_dir(instance_dir(), *parts)


def private_data_folders() -> None:
    """Create instance/ (the secrets) and the returns' folder private from the start; an older deployment's are made
    private."""
    private_dir(instance_dir())
    private_dir(returns_dir())
