"""MCP's client features, used only where the client declares them (DESIGN.md §13).

- `completions`: `completion/complete` for zones, task ids and assistants;
- `questions`: elicitation, to confirm a delete and to ask for a missing time zone;
- `progress`: progress notifications while run_scheduled_task_now waits;
- `icons`: the server's and its tools' self-contained `data:` SVG icon.
"""
