"""Make an Office file (a zip) depend only on its content, so two exports diff clean.

python-docx and openpyxl stamp every zip entry with the time of writing, and
openpyxl sets the document's 'modified' property to now. Both are replaced here
by the return's produced date.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile

CORE = "docProps/core.xml"
_STAMPS = re.compile(rb"(<dcterms:(created|modified)\b[^>]*>)[^<]*(</dcterms:\2>)")


def stable_zip(data: bytes, *, day: dt.date) -> bytes:
    """Rewrite the archive with fixed entry times and core dates set to `day`."""
    stamp = f"{day.isoformat()}T00:00:00Z".encode()
    entry_time = (max(day.year, 1980), day.month, day.day, 0, 0, 0)
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            blob = source.read(info.filename)
            if info.filename == CORE:
                blob = _STAMPS.sub(lambda m: m[1] + stamp + m[3], blob)
            fixed = zipfile.ZipInfo(info.filename, date_time=entry_time)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o644 << 16
            target.writestr(fixed, blob)
    return out.getvalue()
