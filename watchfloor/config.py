"""Where watchfloor keeps its files, and the limits it enforces on input."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

MAX_TEXT_CHARS = 1_000_000


def data_dir() -> Path:
    """``$WATCHFLOOR_HOME`` if set, else the user's data dir; created on first use."""
    override = os.environ.get("WATCHFLOOR_HOME")
    path = Path(override) if override else Path(platformdirs.user_data_dir("watchfloor", appauthor=False))
    path.mkdir(parents=True, exist_ok=True)
    return path


def default_db_path() -> Path:
    """``$WATCHFLOOR_DB`` if set, else ``watchfloor.db`` in the data dir."""
    override = os.environ.get("WATCHFLOOR_DB")
    return Path(override) if override else data_dir() / "watchfloor.db"


def gazetteer_path() -> Path:
    """The compact place index built at set-up from GeoNames data (see ``watchfloor kb build``)."""
    override = os.environ.get("WATCHFLOOR_GAZETTEER")
    return Path(override) if override else data_dir() / "gazetteer.sqlite"
