"""mkdocs hook: serve the figures the examples write (examples/*.png) at examples/<name>.png in the site.

The examples write their PNGs next to themselves (CI runs them before building the site); the pages link
``examples/<name>.png``. Nothing is copied into docs/, so there is one copy of each figure.
"""
from pathlib import Path

from mkdocs.structure.files import File


def on_files(files, config):
    root = Path(config["config_file_path"]).resolve().parent
    for png in sorted((root / "examples").glob("*.png")):
        files.append(File(f"examples/{png.name}", src_dir=str(root), dest_dir=config["site_dir"],
                          use_directory_urls=config["use_directory_urls"]))
    return files
