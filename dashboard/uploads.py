"""Files uploaded through the dashboard before they are ingested: size, type and signature checks, private staging."""

from __future__ import annotations

import base64
import binascii
import codecs
import contextlib
import json
import os
import re
import secrets
import shutil
import threading
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from dashboard.environment import env_number
from etl.paths import instance_dir
from etl.private_files import private_instance_dir
from etl.returns.guard.sniff import old_excel_format
from etl.warehouse.errors import DiskFull, is_disk_full

ALLOWED_EXTENSIONS: tuple[str, ...] = (".xlsx", ".xlsm", ".xls", ".ods", ".csv")
DEFAULT_MAX_MB = 20
ZIP_SIGNATURE = b"PK\x03\x04"  # xlsx, xlsm and ods are zip packages
OLE_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # xls: an OLE compound file
_SIGNATURES = {".xlsx": ZIP_SIGNATURE, ".xlsm": ZIP_SIGNATURE, ".ods": ZIP_SIGNATURE, ".xls": OLE_SIGNATURE}
_TOKEN = re.compile(r"^[0-9a-f]{32}$")
# A staged file not submitted within this time is removed by the server's sweeper ($APTMON_STAGED_MAX_MINUTES).
DEFAULT_STAGED_MAX_MINUTES = 24 * 60
# The sweeper looks at most this long after a file expired.
SWEEP_INTERVAL_S = 300
_sweeper_started = threading.Event()
# The marker of a staged file being submitted (see claim).
CLAIM_NAME = "claimed"


class UploadRefused(ValueError):
    """An uploaded file is not accepted before any reading; the message says why and what to do."""


@dataclass(frozen=True)
class StagedUpload:
    """One uploaded file waiting in the staging area, with who sent it and for which return."""

    token: str
    owner: str
    original_name: str
    extension: str
    country: str | None
    year: int | None
    created: float

    @property
    def folder(self) -> Path:
        return staging_dir() / self.token

    @property
    def path(self) -> Path:
        # A generated name: the analyst's file name never becomes part of a path on the server.
        return self.folder / f"upload{self.extension}"

    @property
    def report_dir(self) -> Path:
        return self.folder / "report"

    @property
    def held_file(self) -> Path:
        # The log row this file was held under (see remember_held): Submit confirms that row, not a new one.
        return self.folder / "held-submission.json"

    @property
    def shown_changes_file(self) -> Path:
        # The changes to the record the analyst was shown for this file (see remember_shown_changes).
        return self.folder / "shown-changes.json"

    def report_file(self) -> Path | None:
        """The feedback workbook written for a rejected return, if any."""
        if not self.report_dir.is_dir():
            return None
        files = sorted(p for p in self.report_dir.iterdir() if p.is_file())
        return files[0] if files else None


def max_upload_bytes() -> int:
    """The largest file accepted: $APTMON_UPLOAD_MAX_MB megabytes (default 20)."""
    return int(env_number("APTMON_UPLOAD_MAX_MB", DEFAULT_MAX_MB) * 1024 * 1024)


def request_limit() -> int:
    """The largest request body the server reads: one upload of max_upload_bytes() in base64 plus the form."""
    return -(-max_upload_bytes() // 3) * 4 + 1024 * 1024


def staging_dir() -> Path:
    return instance_dir() / "uploads"


def staged_max_age_s() -> float:
    """How long a checked file waits for its Submit: $APTMON_STAGED_MAX_MINUTES (default a day)."""
    return max(env_number("APTMON_STAGED_MAX_MINUTES", DEFAULT_STAGED_MAX_MINUTES), 0.01) * 60


def decode_upload(contents: str, file_name: str) -> bytes:
    """The bytes of a dcc.Upload data URL, refused when too large or not base64."""
    _, _, encoded = (contents or "").partition(",")
    limit = max_upload_bytes()
    # Refuse by the encoded length first, so an oversized file is never decoded into memory.
    if len(encoded) // 4 * 3 > limit + 2:
        raise UploadRefused(f"{file_name}: the file is larger than {_megabytes(limit)}; split or compress it.")
    try:
        data = base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise UploadRefused(f"{file_name}: the upload arrived damaged; please upload the file again.") from exc
    if len(data) > limit:
        raise UploadRefused(f"{file_name}: the file is larger than {_megabytes(limit)}; split or compress it.")
    if not data:
        raise UploadRefused(f"{file_name}: the file is empty.")
    return data


def check_file(file_name: str, data: bytes, document: str = "return") -> str:
    """The file's extension when its name and its first bytes agree on an accepted format.

    `document` is what the page takes ("return", "schedule workbook"): a refusal says what to upload instead.
    """
    extension = Path(file_name or "").suffix.lower()
    if extension not in ALLOWED_EXTENSIONS:
        raise UploadRefused(
            f"{file_name}: files of type {extension or '(none)'} are not accepted; "
            f"upload the {document} as {', '.join(ALLOWED_EXTENSIONS)}."
        )
    signature = _SIGNATURES.get(extension)
    # A bare BIFF2-4 worksheet (Excel 2.x to 4.0) has no OLE signature but is a spreadsheet: the reader's guard
    # refuses it as too old to read, with how to re-save it, instead of this check calling it something else.
    too_old = extension == ".xls" and old_excel_format(data[:8]) is not None
    if signature is not None and not data.startswith(signature) and not too_old:
        raise UploadRefused(
            f"{file_name}: the content is not a {extension} spreadsheet; open it in Excel or LibreOffice and "
            "save it again as .xlsx."
        )
    if extension == ".csv" and not _looks_like_utf8_text(data):
        raise UploadRefused(f"{file_name}: a .csv {document} must be UTF-8 text; save it again as 'CSV UTF-8'.")
    return extension


def stage(
    data: bytes,
    file_name: str,
    owner: str,
    country: str | None = None,
    year: int | None = None,
    document: str = "return",
) -> StagedUpload:
    """Check a file (check_file, refusals naming `document`) and keep it in a private staging folder."""
    extension = check_file(file_name, data, document)
    remove_stale()
    staged = StagedUpload(
        token=secrets.token_hex(16),
        owner=owner,
        original_name=Path(file_name).name,
        extension=extension,
        country=country,
        year=year,
        created=time.time(),
    )
    try:
        private_instance_dir(staging_dir().name)
        staged.folder.mkdir(mode=0o700)
        fd = os.open(staged.path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as out:
            out.write(data)
        fd = os.open(staged.folder / "meta.json", os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(json.dumps(asdict(staged)))
    except OSError as exc:
        shutil.rmtree(staged.folder, ignore_errors=True)  # half a staged file is no staged file
        if not is_disk_full(exc):
            raise
        raise UploadRefused(f"{file_name}: {DiskFull('the file')}") from exc
    return staged


def load_staged(token: object) -> StagedUpload | None:
    """The staged upload of a token sent back by the browser, or None (a token is never used as a path as is)."""
    if not isinstance(token, str) or not _TOKEN.match(token):
        return None
    meta = staging_dir() / token / "meta.json"
    try:
        staged = StagedUpload(**json.loads(meta.read_text(encoding="utf-8")))
    except (OSError, ValueError, TypeError):
        return None
    if staged.token != token or not staged.path.exists() or time.time() - staged.created > staged_max_age_s():
        return None  # an expired file counts as gone even in the moment before the sweeper removes it
    return staged


def remember_shown_changes(staged: StagedUpload, changes: frozenset[tuple[str, str]]) -> None:
    """Keep which changes to the record (code, activity) the page showed, so a Submit confirms those only."""
    staged.shown_changes_file.write_text(json.dumps(sorted(changes)), encoding="utf-8")


def shown_changes(staged: StagedUpload) -> frozenset[tuple[str, str]]:
    """The changes remember_shown_changes kept; none when the page showed none."""
    try:
        return frozenset(tuple(pair) for pair in json.loads(staged.shown_changes_file.read_text(encoding="utf-8")))
    except (OSError, ValueError, TypeError):
        return frozenset()


def remember_held(staged: StagedUpload, submission_id: int) -> None:
    """Keep the id of the log row this file was held under, so its Submit confirms that upload in place."""
    staged.held_file.write_text(json.dumps(int(submission_id)), encoding="utf-8")


def held_submission(staged: StagedUpload) -> int | None:
    """The id remember_held kept; None when the file was not held."""
    try:
        value = json.loads(staged.held_file.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return value if isinstance(value, int) else None


def claim(staged: StagedUpload) -> bool:
    """Mark a staged file as being submitted; False when a double click or another worker got there first.

    The marker names the process that claimed it, so a claim whose process died mid-submit (a worker killed)
    is released by release_abandoned_claims instead of refusing the file until it expires.
    """
    try:
        fd = os.open(staged.folder / CLAIM_NAME, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return False
    with os.fdopen(fd, "w", encoding="ascii") as out:
        out.write(str(os.getpid()))
    return True


def release_abandoned_claims() -> int:
    """Release every claim whose process is gone (killed mid-submit); how many were released."""
    root = staging_dir()
    if not root.is_dir():
        return 0
    released = 0
    for marker in root.glob(f"*/{CLAIM_NAME}"):
        try:
            text = marker.read_text(encoding="ascii").strip()
        except OSError:
            continue  # released meanwhile
        if text.isdigit() and _process_alive(int(text)):
            continue
        # No process number: written by a release before claims named theirs, so by a server since restarted.
        marker.unlink(missing_ok=True)
        released += 1
    return released


def _process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # another account's process: alive
    return True


def release(staged: StagedUpload) -> None:
    """Undo claim() after a submission that could not be completed, so it can be tried again."""
    (staged.folder / CLAIM_NAME).unlink(missing_ok=True)


def discard(staged: StagedUpload) -> None:
    """Remove a staged file once it has been submitted (the warehouse keeps its own copy)."""
    shutil.rmtree(staged.folder, ignore_errors=True)


def remove_stale(now: float | None = None) -> int:
    """Remove every staged file older than staged_max_age_s(); how many were removed."""
    now = now or time.time()
    root = staging_dir()
    if not root.is_dir():
        return 0
    removed = 0
    max_age = staged_max_age_s()
    for folder in root.iterdir():
        try:
            if now - folder.stat().st_mtime > max_age:
                shutil.rmtree(folder, ignore_errors=True)
                removed += 1
        except OSError:
            continue  # removed by another worker at the same moment
    return removed


def start_sweeping() -> None:
    """Remove expired staged files in the background of this process, whether or not anyone uploads again."""
    if _sweeper_started.is_set():
        return
    _sweeper_started.set()
    threading.Thread(target=_sweep_forever, name="staged-upload-sweeper", daemon=True).start()


def _sweep_forever() -> None:
    while True:
        with contextlib.suppress(OSError):  # a staging folder that cannot be read now is tried again next round
            remove_stale()
        time.sleep(min(SWEEP_INTERVAL_S, max(staged_max_age_s() / 2, 0.5)))


def _looks_like_utf8_text(data: bytes) -> bool:
    head = data[:65536]
    if b"\x00" in head:
        return False
    try:
        # Incremental, so a character cut at the end of the sample is not taken for bad text.
        codecs.getincrementaldecoder("utf-8-sig")().decode(head, final=len(head) == len(data))
    except UnicodeDecodeError:
        return False
    return True


def _megabytes(size: int) -> str:
    return f"{size / 1024 / 1024:.3g} MB"
