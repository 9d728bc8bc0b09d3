"""Letters rendered from Word templates with values from dossier.yaml, a CSV or --set."""
