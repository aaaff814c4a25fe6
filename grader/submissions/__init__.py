"""Submissions: the stored upload, its grading status and per-function results."""
