"""Command-line interface: thin commands over :mod:`vlocr.service`."""
