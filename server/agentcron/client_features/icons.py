"""The one icon of agentcron: a clock face with a repeat arrow, as a self-contained `data:` URI.

Self-contained because a client may render it offline and must not fetch anything from us
to do so (DESIGN.md §13); SVG because one drawing serves every size.
"""

from __future__ import annotations

import base64

from mcp.server.mcpserver import Icon

ICON_SVG = """\
<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64">
<circle cx="32" cy="32" r="26" fill="#f4f1ea" stroke="#2f5d62" stroke-width="5"/>
<path d="M32 16v17l11 7" fill="none" stroke="#2f5d62" stroke-width="5" stroke-linecap="round"/>
<path d="M50 6v12H38" fill="none" stroke="#d1603d" stroke-width="5" stroke-linecap="round" \
stroke-linejoin="round"/>
</svg>
"""

ICON_MIME_TYPE = "image/svg+xml"
ICON_DATA_URI = f"data:{ICON_MIME_TYPE};base64,{base64.b64encode(ICON_SVG.encode()).decode()}"
ICONS = [Icon(src=ICON_DATA_URI, mime_type=ICON_MIME_TYPE, sizes=["any"])]
