"""The grading pipeline: extract -> job -> sandbox -> compare -> feedback."""
