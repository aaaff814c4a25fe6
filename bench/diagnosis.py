"""How often a single-mistake file gets a hint that names its mistake, and how often a hint names something else.

The files (tests/mistake_files.py): one per catalogued mistake of every bundle,
plus the hand-written variants of tests/data/mistakes/<slug>.toml (the same
mistakes in other forms, and mistakes only the source shows). Each is graded
through the pipeline and the real sandbox, functions only (no training); the
card of the function holding the mistake is judged:

  named          the hint names the mistake (a catalogue hint listed for the file, or a listed fragment)
  no hint        the card has no hint
  contradicting  the card has a hint that names something else: the file has one mistake only
  not caught     the function passed (a file that is not a mistake: fix the file set)
  collateral     another function failed too (not a single-mistake file: fix the file set)

    .venv/bin/python bench/diagnosis.py [slug ...] [--all]
"""
from __future__ import annotations

import argparse
import collections
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "grader.settings")
os.environ.setdefault("GRADER_LOG_LEVEL", "WARNING")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("slugs", nargs="*", help="bundles to measure (default: every bundle folder)")
    parser.add_argument("--all", action="store_true", help="list every file, not only those without a naming hint")
    args = parser.parse_args()

    import django

    django.setup()
    from assignments import bundle_folders
    from assignments.bundle import load_bundle
    from grader.grading.setup import get_grader
    from tests.mistake_files import CONTRADICTING, NAMED, grade_file, mistake_files, rate

    grader = get_grader()
    folders = bundle_folders()
    started = time.monotonic()
    outcomes = []
    for slug in args.slugs or sorted(folders):
        bundle = load_bundle(folders[slug])
        for file in mistake_files(bundle):
            outcome = grade_file(grader, bundle, file)
            outcomes.append(outcome)
            if args.all or outcome.verdict != NAMED:
                print(f"{outcome.verdict:13} {slug}/{file.name} ({file.function}, {outcome.status}): "
                      f"{file.what}\n{'':14}hint: {outcome.hint!r}{' ' + outcome.detail if outcome.detail else ''}")
    print()
    print(f"{'bundle':24} {'files':>5} {'named':>6} {'rate':>6}   {'catalogue':>9} {'named':>6}   {'variants':>8} "
          f"{'named':>6}   {'contradicting':>13}")
    by_slug = collections.defaultdict(list)
    for outcome in outcomes:
        by_slug[outcome.file.slug].append(outcome)
    for slug, group in [*by_slug.items(), ("all", outcomes)]:
        catalogue = [o for o in group if o.file.name.startswith("catalogue:")]
        variants = [o for o in group if o not in catalogue]
        named = [sum(o.verdict == NAMED for o in part) for part in (group, catalogue, variants)]
        contradicting = sum(o.verdict == CONTRADICTING for o in group)
        print(f"{slug:24} {len(group):5} {named[0]:6} {rate(group):6.1%}   {len(catalogue):9} {named[1]:6}   "
              f"{len(variants):8} {named[2]:6}   {contradicting:13}")
    counts = collections.Counter(o.verdict for o in outcomes)
    print(f"verdicts: {dict(counts)}; {time.monotonic() - started:.0f} s with the {grader.backend_for('numpy').name} "
          "sandbox")
    return 0


if __name__ == "__main__":
    sys.exit(main())
