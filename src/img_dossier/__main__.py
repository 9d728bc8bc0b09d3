"""python -m img_dossier"""

from img_dossier.cli import main

if __name__ == "__main__":
    main()
