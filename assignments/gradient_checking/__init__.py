"""Gradient checking (Improving Deep Neural Networks, week 1, third assignment)."""
