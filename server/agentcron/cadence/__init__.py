"""The cadence engine: pure functions, no I/O, no clock reads (callers pass `now`)."""
