#!/bin/sh
# Creates the peers' virtual environment for `make bench-nifti`: nnunetv2 2.8.1 (SimpleITK, numpy,
# nibabel come with it) and a CPU-only torch, which nnunetv2 requires but its evaluation never uses.
# Usage: make_venv.sh VENV_DIR   (not part of `make test` or CI)
set -eu
venv="$1"
python3 -m venv "$venv"
# The CPU wheel first (about 200 MB; the default Linux wheel pulls several GB of CUDA libraries).
# A wheel already in $PIP_FIND_LINKS is used as is; else PyTorch's CPU index.
"$venv/bin/pip" install --quiet torch --extra-index-url "${TORCH_INDEX:-https://download.pytorch.org/whl/cpu}" ||
    echo "make_venv.sh: no CPU torch wheel found; nnunetv2 will pull the default torch" >&2
"$venv/bin/pip" install --quiet nnunetv2==2.8.1
