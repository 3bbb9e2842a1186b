"""Page structure from OCR lines and the page image: layout regions in reading order
(``regions``/``order``), tables and item rows (``tables``). Pure functions over results; no
engines, no I/O."""
