"""Objection cases (异议): a subject contests a record or a list entry; marked at once, answered in time."""
