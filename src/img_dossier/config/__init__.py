"""Configuration: dossier.yaml (the profile), checklists, built-in data, `dossier init`."""
