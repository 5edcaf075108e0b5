#!/usr/bin/env python3
"""Builds the platform wheel of segscore from the static tarball `make dist` wrote.

Standard library only (zipfile, hashlib): the wheel holds python/segscore/ with the static
binary at segscore/bin/segscore, a `segscore` console script, and the dist-info files of the
wheel format (PEP 427, core metadata 2.1). The platform tag is manylinux_2_X_ARCH where 2.X is
the newest glibc symbol version the binary needs (read with objdump), so pip installs it only
where it runs.
"""

import base64
import hashlib
import os
import platform
import re
import subprocess
import sys
import tarfile
import tempfile
import zipfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def version() -> str:
    text = open(os.path.join(ROOT, "Sources/SegScore/Version.swift"), encoding="utf-8").read()
    match = re.search(r'segscoreVersion = "([^"]+)"', text)
    if not match:
        sys.exit("wheel: cannot read the version from Sources/SegScore/Version.swift")
    return match.group(1)


def glibc_tag(binary: str, arch: str) -> str:
    symbols = subprocess.run(["objdump", "-T", binary], capture_output=True, text=True, check=True).stdout
    versions = {tuple(int(part) for part in v.split(".")) for v in re.findall(r"GLIBC_([0-9]+(?:\.[0-9]+)+)", symbols)}
    major, minor = max(versions)[:2]
    return f"manylinux_{major}_{minor}_{arch}"


def record_line(name: str, data: bytes) -> str:
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    return f"{name},sha256={digest},{len(data)}"


def main() -> None:
    ver = version()
    arch = platform.machine()
    tarball = os.path.join(ROOT, "dist", f"segscore-{ver}-linux-{arch}.tar.gz")
    if not os.path.exists(tarball):
        sys.exit(f"wheel: {tarball} is missing: run make dist first")
    with tempfile.TemporaryDirectory() as folder:
        with tarfile.open(tarball) as archive:
            member = archive.getmember(f"segscore-{ver}-linux-{arch}/bin/segscore")
            source = archive.extractfile(member)
            assert source is not None
            binary = source.read()
        binary_file = os.path.join(folder, "segscore")
        with open(binary_file, "wb") as handle:
            handle.write(binary)
        tag = glibc_tag(binary_file, arch)

    name = f"segscore-{ver}-py3-none-{tag}.whl"
    dist_info = f"segscore-{ver}.dist-info"
    readme = open(os.path.join(ROOT, "README.md"), encoding="utf-8").read()
    files = []
    package = os.path.join(ROOT, "python", "segscore")
    for entry in sorted(os.listdir(package)):
        path = os.path.join(package, entry)
        if not os.path.isfile(path) or entry.endswith(".pyc"):
            continue
        data = open(path, "rb").read()
        if entry == "__init__.py":
            data = data.replace(b"@VERSION@", ver.encode())
        files.append((f"segscore/{entry}", data, 0o644))
    files.append(("segscore/bin/segscore", binary, 0o755))
    metadata = "\n".join(
        [
            "Metadata-Version: 2.1",
            "Name: segscore",
            f"Version: {ver}",
            "Summary: Score segmentation masks across a dataset with named, reproducible Dice and boundary metrics",
            "Requires-Python: >=3.8",
            "Provides-Extra: pandas",
            'Requires-Dist: pandas; extra == "pandas"',
            "Description-Content-Type: text/markdown",
            "",
            readme,
        ]
    )
    files.append((f"{dist_info}/METADATA", metadata.encode(), 0o644))
    wheel = f"Wheel-Version: 1.0\nGenerator: segscore scripts/wheel.py\nRoot-Is-Purelib: false\nTag: py3-none-{tag}\n"
    files.append((f"{dist_info}/WHEEL", wheel.encode(), 0o644))
    entry_points = "[console_scripts]\nsegscore = segscore._binary:main\n"
    files.append((f"{dist_info}/entry_points.txt", entry_points.encode(), 0o644))
    record = [record_line(path, data) for path, data, _ in files] + [f"{dist_info}/RECORD,,"]
    files.append((f"{dist_info}/RECORD", ("\n".join(record) + "\n").encode(), 0o644))

    out = os.path.join(ROOT, "dist", name)
    # Fixed timestamps: the same inputs give the same wheel bytes.
    stamp = (1980, 1, 1, 0, 0, 0)
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as wheel_zip:
        for path, data, mode in files:
            info = zipfile.ZipInfo(path, date_time=stamp)
            info.external_attr = (0o100000 | mode) << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            wheel_zip.writestr(info, data)
    print(f"wheel: dist/{name} ({os.path.getsize(out) / 1e6:.1f} MB)")


if __name__ == "__main__":
    main()
