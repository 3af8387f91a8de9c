#!/usr/bin/env bash
# Creates benchmarks/.nautilus-venv with NautilusTrader, for the side-by-side benchmark only.
# NautilusTrader is never a dependency of predtrade: it lives in this separate, git-ignored venv.
# Usage: bash benchmarks/nautilus/setup.sh   (re-running it is harmless; NAUTILUS_VERSION=x.y.z to pin)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
venv="$here/../.nautilus-venv"
py="${PYTHON:-python3.11}"
command -v "$py" >/dev/null 2>&1 || py=python3
version="${NAUTILUS_VERSION:-1.221.0}"
if [ ! -x "$venv/bin/python" ]; then
    "$py" -m venv "$venv"
    "$venv/bin/pip" install --quiet --upgrade pip
fi
"$venv/bin/pip" install --quiet "nautilus_trader==$version"
"$venv/bin/python" -c "import nautilus_trader; print('nautilus_trader', nautilus_trader.__version__, 'in', '$venv')"
