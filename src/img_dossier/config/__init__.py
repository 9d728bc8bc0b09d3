"""Configuration: dossier.yaml (the profile), checklists and the built-in data folders."""
