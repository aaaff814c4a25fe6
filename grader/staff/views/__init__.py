"""Staff views, a module per area: each view takes (request, course, ...) through `staff_view`."""
