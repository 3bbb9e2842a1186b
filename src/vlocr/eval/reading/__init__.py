"""The reading benchmark: the interleaved runner over configurations, text metrics, speed, peer engines and the report."""
