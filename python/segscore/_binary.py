"""Where the bundled ``segscore`` binary is, and the console script that runs it."""

from __future__ import annotations

import os
import sys
from pathlib import Path


def binary_path() -> Path:
    """The ``segscore`` executable shipped in this package (``SEGSCORE_BINARY`` overrides it)."""
    override = os.environ.get("SEGSCORE_BINARY")
    if override:
        return Path(override)
    return Path(__file__).resolve().parent / "bin" / "segscore"


def main() -> None:
    """The ``segscore`` console script: replaces this process with the binary, same arguments."""
    binary = str(binary_path())
    os.execv(binary, [binary] + sys.argv[1:])
