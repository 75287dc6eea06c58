"""Calendar rules (RFC 5545 RRULE, DESIGN.md §11): evaluation on wall-clock time with the DST
rules of §3, cron <-> rule, raw `RRULE:` input, and rules said back in English."""
