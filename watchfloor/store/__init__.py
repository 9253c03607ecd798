"""SQLite storage: the one place where stages share state."""

from watchfloor.store.db import Store, migrations

__all__ = ["Store", "migrations"]
