"""Auditing many client folders at once."""
