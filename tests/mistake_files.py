"""Single-mistake student files, and whether the hint each one gets names its mistake.

Two sources: one file per catalogued mistake of a bundle (the reference with
that mistake's def in place of its own), and the hand-written variants of
tests/data/mistakes/<slug>.toml, which make a mistake in another form (other
names, other arithmetic, one key instead of all) or one that only the
student's source shows. Every file differs from the reference in one graded
function only, so a hint about anything else is a wrong diagnosis: the
measurement counts it as contradicting.

A variant entry:

    [[variants]]
    name = "cost_square_of_sum"            # unique in the file
    function = "compute_cost_with_regularization"
    what = "the square of the sum of the weights instead of the sum of their squares"
    mistakes = ["l2_cost_square_of_sum"]   # catalogue keys whose hint names it (equal text)
    hint_contains = ["the sum of the squares"]   # or fragments, one of which the hint must contain
    source = '''
    def compute_cost_with_regularization(A3, Y, parameters, lambd):
        ...
    '''
"""
from __future__ import annotations

import ast
import tomllib
from dataclasses import dataclass
from pathlib import Path

from assignments.bundle import Bundle

VARIANTS_DIR = Path(__file__).resolve().parent / "data" / "mistakes"
NAMED, NONE, CONTRADICTING, NOT_CAUGHT, COLLATERAL = "named", "no hint", "contradicting", "not caught", "collateral"


@dataclass(frozen=True)
class MistakeFile:
    slug: str
    name: str  # "catalogue:<key>" or the variant's name
    function: str
    what: str
    mistakes: tuple[str, ...]  # catalogue keys whose hint names the mistake
    hint_contains: tuple[str, ...]  # text fragments that name it
    source: str  # the graded function's def (and any helper defs of the student's)

    def student_file(self, bundle: Bundle) -> bytes:
        """The reference file with this def in place of the reference's own."""
        return replace_def(bundle.text("reference"), self.function, self.source).encode()

    def names_mistake(self, hint: str | None, bundle: Bundle) -> bool:
        if not hint:
            return False
        hints = {m.key: m.hint for m in bundle.mistakes}
        if any(key in hints and hint == hints[key] for key in self.mistakes):
            return True
        return any(fragment.lower() in hint.lower() for fragment in self.hint_contains)


@dataclass(frozen=True)
class Outcome:
    file: MistakeFile
    verdict: str  # NAMED | NONE | CONTRADICTING | NOT_CAUGHT | COLLATERAL
    status: str
    hint: str | None
    detail: str = ""


def replace_def(text: str, function: str, source: str) -> str:
    """`text` with its last top-level def of `function` replaced by `source` (which may hold several defs)."""
    lines = text.splitlines(keepends=True)
    found = None
    for node in ast.parse(text).body:
        if isinstance(node, ast.FunctionDef) and node.name == function:
            found = node
    if found is None:
        raise ValueError(f"the reference defines no {function}")
    first = min([found.lineno] + [d.lineno for d in found.decorator_list])
    return "".join(lines[:first - 1]) + source.strip("\n") + "\n" + "".join(lines[found.end_lineno:])


def catalogue_files(bundle: Bundle) -> list[MistakeFile]:
    return [MistakeFile(bundle.slug, f"catalogue:{m.key}", m.function, m.hint, (m.key,), (), m.source)
            for m in bundle.mistakes]


def variant_files(bundle: Bundle, folder: Path = VARIANTS_DIR) -> list[MistakeFile]:
    path = folder / f"{bundle.slug}.toml"
    if not path.is_file():
        return []
    entries = tomllib.loads(path.read_text(encoding="utf-8"))["variants"]
    names = [entry["name"] for entry in entries]
    duplicates = sorted({name for name in names if names.count(name) > 1})
    if duplicates:
        raise ValueError(f"{path.name}: variant names used twice: {duplicates}")
    return [MistakeFile(bundle.slug, entry["name"], entry["function"], entry["what"], tuple(entry.get("mistakes", ())),
                        tuple(entry.get("hint_contains", ())), entry["source"]) for entry in entries]


def mistake_files(bundle: Bundle) -> list[MistakeFile]:
    return catalogue_files(bundle) + variant_files(bundle)


def grade_file(grader, bundle: Bundle, file: MistakeFile) -> Outcome:
    """Grades one file's functions (no model checks) and judges the card of the function the mistake is in."""
    report = grader.grade_functions(bundle, f"{file.name.replace(':', '-')}.py", file.student_file(bundle)).report
    cards = {f.name: f for f in report.functions}
    target = cards[file.function]
    others = [name for name, card in cards.items() if name != file.function and card.status != "passed"]
    if target.status == "passed":
        return Outcome(file, NOT_CAUGHT, target.status, target.hint, "the function passed")
    if others:
        return Outcome(file, COLLATERAL, target.status, target.hint, f"also failed: {', '.join(others)}")
    if target.hint is None:
        return Outcome(file, NONE, target.status, None)
    if file.names_mistake(target.hint, bundle):
        return Outcome(file, NAMED, target.status, target.hint)
    return Outcome(file, CONTRADICTING, target.status, target.hint)


def rate(outcomes: list[Outcome]) -> float:
    """The share of files whose card names the mistake (a bad file counts as not named)."""
    return sum(o.verdict == NAMED for o in outcomes) / len(outcomes) if outcomes else 0.0
