"""Natural language -> Spec -> Schedule: tokens, word tables, numbers, times of day, the grammar
and its phrase recognisers (one module per family of phrases), and the builders that turn what
was recognised into a cron, interval, one-off or calendar-rule Schedule. Entry point: parse.py."""
