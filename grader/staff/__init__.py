"""Course staff's pages under /courses/<course>/staff/: every view checks the course role, never `is_staff`."""
