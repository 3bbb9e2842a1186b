"""Batch runs over folders: jobs keyed by content hash, atomic resumable output, local worker
processes or a Ray cluster. ``vlocr batch`` is a thin command over ``run_job``."""

from vlocr.batch.inputs import IMAGE_SUFFIXES, Collected, collect_inputs
from vlocr.batch.job import BatchInterrupted, BatchSummary, run_job
from vlocr.batch.store import OutputStore
from vlocr.batch.task_runner import BatchRecord, TaskSpec

__all__ = [
    "IMAGE_SUFFIXES",
    "BatchInterrupted",
    "BatchRecord",
    "BatchSummary",
    "Collected",
    "OutputStore",
    "TaskSpec",
    "collect_inputs",
    "run_job",
]
