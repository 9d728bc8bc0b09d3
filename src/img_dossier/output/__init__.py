"""What the tool writes: reports, conversion to PDF, the assembled dossier, portal packs."""
