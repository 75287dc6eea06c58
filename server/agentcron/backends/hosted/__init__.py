"""Adapters for the four hosted scheduled-task APIs (contracts in backends.md), all on one httpx
layer (http.py); common.py holds what they add on top of the wire, utc.py the exact-UTC rule."""
