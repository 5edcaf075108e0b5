#!/usr/bin/env bash
# Step 1 of action.yml: fetch (or take) the release tarball, check its SHA-256, unpack it under
# RUNNER_TEMP and put its bin/ on GITHUB_PATH for the next steps.
set -euo pipefail
: "${RUNNER_TEMP:?}" "${GITHUB_PATH:?}" "${SEGSCORE_VERSION:?}"
arch=$(uname -m)
name=segscore-$SEGSCORE_VERSION-linux-$arch
repository=${SEGSCORE_REPOSITORY:-segscore/segscore}
source=${SEGSCORE_TARBALL:-https://github.com/$repository/releases/download/v$SEGSCORE_VERSION/$name.tar.gz}
folder=$RUNNER_TEMP/segscore-install
mkdir -p "$folder"
fetch() { # source, destination
    case $1 in
        http://* | https://*) curl --fail --silent --show-error --location --retry 3 -o "$2" "$1" ;;
        *) cp "$1" "$2" ;;
    esac
}
fetch "$source" "$folder/$name.tar.gz"
fetch "$source.sha256" "$folder/$name.tar.gz.sha256"
(cd "$folder" && sha256sum --check --quiet "$name.tar.gz.sha256")
tar -xzf "$folder/$name.tar.gz" -C "$folder"
echo "$folder/$name/bin" >>"$GITHUB_PATH"
echo "segscore $("$folder/$name/bin/segscore" --version) installed in $folder/$name/bin"
