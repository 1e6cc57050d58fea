"""Builds an install tree of real jars from a local Maven repository, for bench/run.

    python3 bench/realtree.py REPOSITORY DIR [MEGABYTES] [EXPLODED]

Deterministic for a given repository: every *.jar under REPOSITORY (sources, javadoc and test
jars left out, none over 25 MB) is ordered by the SHA-256 of its path relative to REPOSITORY —
a spread over the whole repository rather than its first letters — and taken in that order until
MEGABYTES (default 250) of jars are chosen. They are copied to DIR/lib/<path in the repository>.
The first EXPLODED (default 40) chosen jars that hold classes are also unpacked into
DIR/classes/<artifact>/ (class files and resources, as an exploded application is deployed).
DIR/SELECTION lists what was chosen (path, bytes) and its SHA-256 is printed, so two runs can
tell whether they measured the same tree.
"""
import hashlib
import os
import shutil
import sys
import zipfile

repo, out = sys.argv[1], sys.argv[2]
budget = int(float(sys.argv[3]) * 1024 * 1024) if len(sys.argv) > 3 else 250 * 1024 * 1024
exploded = int(sys.argv[4]) if len(sys.argv) > 4 else 40
skip = ("-sources.jar", "-javadoc.jar", "-tests.jar", "-test-sources.jar")

jars = []
for root, dirs, files in os.walk(repo):
    dirs.sort()
    for f in sorted(files):
        if not f.endswith(".jar") or f.endswith(skip):
            continue
        p = os.path.join(root, f)
        size = os.path.getsize(p)
        if 0 < size <= 25 * 1024 * 1024:
            rel = os.path.relpath(p, repo)
            jars.append((hashlib.sha256(rel.encode()).hexdigest(), rel, size))
jars.sort()

chosen, total = [], 0
for _, rel, size in jars:
    if total + size > budget:
        continue
    chosen.append((rel, size))
    total += size

os.makedirs(out, exist_ok=True)
files = 0
for rel, _ in chosen:
    dst = os.path.join(out, "lib", rel)
    os.makedirs(os.path.dirname(dst), exist_ok=True)
    shutil.copyfile(os.path.join(repo, rel), dst)
    files += 1
unpacked = 0
for rel, _ in chosen:
    if unpacked >= exploded:
        break
    try:
        with zipfile.ZipFile(os.path.join(repo, rel)) as z:
            names = [n for n in z.namelist() if not n.endswith("/")]
            if not any(n.endswith(".class") for n in names):
                continue
            target = os.path.join(out, "classes", os.path.basename(rel)[:-4])
            for n in names:
                if n.startswith("/") or ".." in n.split("/"):
                    continue
                dst = os.path.join(target, n)
                os.makedirs(os.path.dirname(dst), exist_ok=True)
                with z.open(n) as src, open(dst, "wb") as f:
                    shutil.copyfileobj(src, f)
                files += 1
            unpacked += 1
    except zipfile.BadZipFile:
        continue

selection = "".join(f"{rel}\t{size}\n" for rel, size in chosen)
with open(os.path.join(out, "SELECTION"), "w") as f:
    f.write(selection)
digest = hashlib.sha256(selection.encode()).hexdigest()
print(
    f"real tree: {len(chosen)} jars ({total / 1e6:.1f} MB) of {len(jars)} in {repo}, "
    f"{unpacked} unpacked, {files} files; selection sha256 {digest[:16]}"
)
