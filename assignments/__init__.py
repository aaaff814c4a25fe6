"""Assignment bundles: the format's loader and contract (plain Python), and one bundle folder per course assignment."""
from __future__ import annotations

import tomllib
from pathlib import Path

ASSIGNMENTS_DIR = Path(__file__).resolve().parent


def bundle_folders(root: Path = ASSIGNMENTS_DIR) -> dict[str, Path]:
    """{slug: folder} of every folder under `root` holding an assignment.toml (the course's bundles by default)."""
    found = {}
    for manifest in sorted(Path(root).glob("*/assignment.toml")):
        try:
            slug = tomllib.loads(manifest.read_text(encoding="utf-8")).get("slug")
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
            slug = None
        found[slug if isinstance(slug, str) else manifest.parent.name] = manifest.parent
    return found
