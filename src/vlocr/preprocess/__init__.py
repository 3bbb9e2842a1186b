"""Make text legible for an OCR engine or a VLM: small steps, named pipelines, a trace.

``run(image, "auto")`` measures first and applies only what helps; ``"seed"`` is the reference
article's fixed pipeline; ``"none"`` passes the image through.
"""

from vlocr.preprocess.measure import Measurements, measure
from vlocr.preprocess.presets import (
    AUTO_DEFAULTS,
    GEOMETRIC,
    PIPELINES,
    STEPS,
    Preprocessed,
    check_pipeline,
    describe,
    run,
)

__all__ = [
    "AUTO_DEFAULTS",
    "GEOMETRIC",
    "PIPELINES",
    "STEPS",
    "Measurements",
    "Preprocessed",
    "check_pipeline",
    "describe",
    "measure",
    "run",
]
