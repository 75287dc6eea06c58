"""What people look at: the MCP Apps page (apps/), the iCalendar export and live-run
notifications. Views read through the backend; nothing here schedules or fires."""
