"""Checking a folder: the pipeline (scan, read, classify, facts, verify) and the rules."""
