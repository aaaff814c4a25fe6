"""Value trees of the wire format, read with the standard library only (the runner imports it before NumPy).

A value tree is the JSON side of a packed value (sandbox/wire.py): dicts and
lists whose array nodes are `{"t": "array", "ref": name, ...}`, the name of an
array stored beside the tree.
"""
from __future__ import annotations


def array_refs(tree) -> set[str]:
    """Every array ref a value tree names (an iterative walk: a tree may nest deeper than the stack)."""
    refs, stack = set(), [tree]
    while stack:
        node = stack.pop()
        if type(node) is dict:
            if node.get("t") == "array" and type(node.get("ref")) is str:
                refs.add(node["ref"])
            stack.extend(node.values())
        elif type(node) is list:
            stack.extend(node)
    return refs
