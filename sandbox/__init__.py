"""Runs untrusted submissions: the in-sandbox runner, the wire format, the backends (no Django)."""
