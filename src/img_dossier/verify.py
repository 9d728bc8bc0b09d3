"""Checklist x Profile x Documents -> ItemResults (pure: no I/O).

OWNER: helper "core" (stub until then).
"""
