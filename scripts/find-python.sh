#!/usr/bin/env bash
# Prints the path of a Python 3.10 interpreter (Rasa Open Source 3.6 supports 3.8-3.10 only),
# or explains what to install and exits 1. $PYTHON, if set, is tried first.
set -u
candidates=()
[ -n "${PYTHON:-}" ] && candidates+=("$PYTHON")
candidates+=(python3.10)
if command -v pyenv >/dev/null 2>&1; then
  root=$(pyenv root 2>/dev/null)
  for dir in "$root"/versions/3.10*; do
    [ -x "$dir/bin/python3.10" ] && candidates+=("$dir/bin/python3.10")
  done
fi
candidates+=(/usr/bin/python3.10 /usr/local/bin/python3.10 /opt/homebrew/bin/python3.10 python3 python)
for candidate in "${candidates[@]}"; do
  path=$(command -v "$candidate" 2>/dev/null) || continue
  version=$("$path" -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null) || continue
  if [ "$version" = "3.10" ] && "$path" -c 'import venv, ensurepip' 2>/dev/null; then
    echo "$path"
    exit 0
  fi
done
cat >&2 <<'MSG'
No Python 3.10 found. Rasa Open Source 3.6 (which this assistant runs on) supports Python 3.8-3.10
only, so `make` needs a Python 3.10 with the venv module. Install one of:
  - pyenv:          pyenv install 3.10.13
  - Debian/Ubuntu:  sudo apt install python3.10 python3.10-venv   (deadsnakes PPA on older Ubuntu)
  - macOS:          brew install python@3.10
  - Windows/other:  https://www.python.org/downloads/release/python-31013/
then run the same make command again, or point to it: make chat PYTHON=/path/to/python3.10
MSG
exit 1
