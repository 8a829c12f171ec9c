"""``python -m xprep.schemas --write manifests/schema``: regenerate the published schemas."""

from __future__ import annotations

import sys
from pathlib import Path

from xprep.schemas import write_published

if __name__ == "__main__":
    if len(sys.argv) != 3 or sys.argv[1] != "--write":
        sys.exit("usage: python -m xprep.schemas --write FOLDER")
    for path in write_published(Path(sys.argv[2])):
        print(path)
