"""`python -m agentcron` runs the same CLI as the `agentcron` console script."""

from agentcron.cli import main

if __name__ == "__main__":
    raise SystemExit(main())
