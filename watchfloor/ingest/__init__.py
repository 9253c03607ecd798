"""Ingestion: files, folders and stdin in; validated, identified articles into the store."""

from watchfloor.ingest.files import Problem, read_paths
from watchfloor.ingest.run import IngestReport, store_items

__all__ = ["IngestReport", "Problem", "read_paths", "store_items"]
