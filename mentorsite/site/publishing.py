"""Publishing a handbook edition onto the deploy branch with mike (reading it: ``reading.deploy_branch``)."""

from __future__ import annotations

import os
import subprocess
import sys
from contextlib import chdir
from pathlib import Path

ROOT_404 = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Page not found</title>
<style>
body{{font-family:system-ui,sans-serif;max-width:36rem;margin:4rem auto;padding:0 1rem;line-height:1.5}}
</style>
</head>
<body>
<h1>Page not found</h1>
<p>This page is not in the handbook. It may have moved in a newer edition.</p>
<p><a href="{target}/">Go to the current edition of the handbook</a>.</p>
</body>
</html>
"""


def publish_edition(config_file: Path, version: str, aliases: list[str], *, branch: str,
                    set_default: bool = True, push: bool = False) -> None:
    """Deploy the handbook as edition ``version`` with mike, aliases as copies.

    The first alias (or the version) becomes the default the site root redirects to, and a
    404 page is written at the root of the branch, where no edition's own 404 page reaches.
    Raises ``subprocess.CalledProcessError`` when mike fails.
    """
    from mike import git_utils  # noqa: PLC0415 - mike's git writer, only when publishing

    folder = config_file.resolve().parent
    # mike runs `mkdocs build`: the one installed beside this Python, whatever PATH says.
    environment = {**os.environ, "PATH": os.pathsep.join([str(Path(sys.executable).parent),
                                                          os.environ.get("PATH", "")])}
    mike = [sys.executable, "-c", "import sys; from mike.driver import main; sys.exit(main())"]
    common = ["--config-file", str(config_file.resolve()), "--branch", branch]
    deploy = ["deploy", *common, "--alias-type", "copy", "--update-aliases", version, *aliases]
    subprocess.run([*mike, *deploy], cwd=folder, env=environment, check=True)
    default = aliases[0] if aliases else version
    if set_default:
        subprocess.run([*mike, "set-default", *common, default], cwd=folder, env=environment, check=True)
    with chdir(folder):
        message = f"Root 404 page for the handbook ({default})"
        with git_utils.Commit(branch, message, allow_empty=True) as commit:
            commit.add_file(git_utils.FileInfo("404.html", ROOT_404.format(target=default)))
        if push:
            git_utils.push_branch("origin", branch)
