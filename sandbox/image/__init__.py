"""The Docker sandbox image: the debootstrap root filesystem, imported, plus the runner and a non-root user."""
