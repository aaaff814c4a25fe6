"""Courses, enrolment with roles, assignments and their graded functions and test cases."""
