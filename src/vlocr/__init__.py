"""vlocr: read text out of images and answer questions about them, offline, on CPU or GPU.

Library entry points live in :mod:`vlocr.service` (``read``, ``ask``, ``extract``, ``chat``).
"""

__version__ = "0.1.0"
