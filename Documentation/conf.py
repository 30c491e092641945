# SPDX-License-Identifier: GPL-2.0
# Sphinx configuration for `make docs`: Debian's python3-sphinx alone, no
# extensions and no network. The build runs with -W, so a broken link or
# a malformed table fails it.

import os

project = 'ttydpc'
copyright = 'ttydpc contributors, GPL-2.0'
author = 'ttydpc contributors'

try:
    with open(os.path.join(os.path.dirname(os.path.abspath(__file__)),
                           '..', 'VERSION'), encoding='utf-8') as f:
        release = f.readline().strip()
except OSError:
    release = 'unknown'
version = release

root_doc = 'index'
source_suffix = {'.rst': 'restructuredtext'}
extensions = []

# alabaster is the default theme and ships with python3-sphinx (as a
# dependency, python3-alabaster).
html_theme = 'alabaster'
html_title = 'ttydpc ' + release
html_static_path = []
html_show_sourcelink = False

# Every ``.. code-block::`` names its language; plain ``::`` blocks are
# shell or text, so none is guessed.
highlight_language = 'none'
