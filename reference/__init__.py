"""NumPy reference solutions, one module per assignment, and the catalogue of known mistakes."""
