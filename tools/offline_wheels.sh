#!/usr/bin/env bash
# Wheels for a GPU machine without internet: aelab's dependencies (without torch, which a GPU
# machine brings in its own CUDA build) and the Jupyter stack that tools/gpu_check.py runs the
# chapters with, for that machine's Python version and platform, into one folder to carry over.
#
#   tools/offline_wheels.sh PYVER PLATFORM DIR [REQUIREMENT...]
#   tools/offline_wheels.sh 3.12 manylinux_2_28_x86_64,manylinux_2_17_x86_64,manylinux2014_x86_64 .whl
#   tools/offline_wheels.sh 3.12 manylinux_2_28_x86_64,manylinux2014_x86_64 .whl nbclient ipykernel
#
# PLATFORM is one platform tag or several separated by commas (pip matches each exactly; pure
# Python wheels fit any). With REQUIREMENTs, only those (and what they need) are downloaded,
# e.g. the few a machine lacks. On the machine: pip install --no-index --find-links DIR NAME...
set -euo pipefail

if [[ $# -lt 3 ]]; then
    sed -n '2,12p' "$0" >&2
    exit 2
fi
pyver=$1 platforms=$2 dir=$3
shift 3
root=$(cd "$(dirname "$0")/.." && pwd)
python=${PYTHON:-python3}

if [[ $# -gt 0 ]]; then
    requirements=("$@")
else
    # pyproject.toml's dependencies without torch, and the runners' pins of requirements-dev.txt
    mapfile -t requirements < <("$python" - "$root" <<'PY'
import re, sys, tomllib
from pathlib import Path
root = Path(sys.argv[1])
deps = tomllib.loads((root / "pyproject.toml").read_text())["project"]["dependencies"]
print("\n".join(d for d in deps if re.split(r"[<>=!~ ;\[]", d)[0].lower() != "torch"))
pins = dict(
    line.split("==") for line in (root / "requirements-dev.txt").read_text().splitlines()
    if "==" in line and not line.startswith("#")
)
for name in ("nbclient", "pytest"):
    print(f"{name}=={pins[name]}" if name in pins else name)
print("nbformat\nipykernel\njupyter_client")
PY
)
fi

platform_args=()
IFS=, read -ra tags <<< "$platforms"
for tag in "${tags[@]}"; do platform_args+=(--platform "$tag"); done

mkdir -p "$dir"
"$python" -m pip download --only-binary=:all: --implementation cp --python-version "$pyver" \
    "${platform_args[@]}" --dest "$dir" "${requirements[@]}"
echo "wheels for Python $pyver on $platforms in $dir ($(du -sh "$dir" | cut -f1)):"
ls "$dir"
