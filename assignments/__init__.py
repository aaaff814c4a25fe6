"""Course assignments: specs, the helper modules students import, data sets, starter notebooks."""
