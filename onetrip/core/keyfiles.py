"""Private files that must never be read half-written: keys, seeds, certificates.

``place_once`` writes the data whole to a temporary file beside the target (mode 0600), then
hard-links it into place: a reader sees either no file or the whole file, and when several
threads or processes create the same file at once the first link wins and the others keep
theirs out (their caller then reads the winner's)."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def place_once(path: Path, data: bytes) -> bool:
    """Write ``data`` to ``path`` unless it exists; True if ours is the one in place."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
        os.chmod(tmp, 0o600)
        try:
            os.link(tmp, path)
        except FileExistsError:
            return False
        return True
    finally:
        os.unlink(tmp)
