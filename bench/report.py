"""Turns bench/work/results.tsv into a Markdown table of medians and target ratios."""
import statistics
import sys
from collections import OrderedDict

path, n = sys.argv[1], sys.argv[2]
values, rss, loads = OrderedDict(), OrderedDict(), []
for line in open(path):
    name, value, extra = (line.rstrip("\n").split("\t") + [""])[:3]
    if name.startswith("load"):
        loads.append((name, value))
        continue
    values.setdefault(name, []).append(float(value))
    if extra:
        rss.setdefault(name, []).append(int(extra))


def med(name):
    v = values.get(name)
    return statistics.median(v) if v else None


print("| measurement | median | runs (s) | peak RSS (median) |")
print("|---|---:|---|---:|")
for name, v in values.items():
    r = f"{statistics.median(rss[name]) / 1024:.0f} MB" if name in rss else ""
    runs = ", ".join(f"{x:g}" for x in v)
    print(f"| `{name}` | {statistics.median(v):.3f} | {runs} | {r} |")
print()
print("| target | measured | ratio | target ratio | met |")
print("|---|---|---:|---:|---|")


def ratio(label, a, b, target, paired=False):
    """Median over median; paired: the median of the ratios within each repetition (both run
    minutes apart in the same repetition, so a slow moment of a loaded machine counts for both)."""
    x, y = med(a), med(b)
    if x is None or y is None:
        return
    r = x / y
    if paired and len(values[a]) == len(values[b]):
        rs = [p / q for p, q in zip(values[a], values[b])]
        r = statistics.median(rs)
        shown = f"{x:.2f} / {y:.2f} (per repetition: {', '.join(f'{v:.2f}' for v in rs)})"
    else:
        shown = f"{x:.2f} / {y:.2f}"
    ok = "yes" if r <= target else "**no**"
    print(f"| {label} | `{a}` / `{b}` = {shown} | {r:.2f} | ≤ {target} | {ok} |")


ratio("restore vs curl \\| tar -xzf", "restore.halcyon", "restore.curl-tar-xzf", 0.5)
ratio("restore vs local tar --zstd", "restore.halcyon", "restore.tar-zstd-local", 1.3)
ratio("restore (bin/halcyon) vs curl \\| tar -xzf", "restore.launcher", "restore.curl-tar-xzf", 0.5)
ratio("restore (bin/halcyon) vs local tar --zstd", "restore.launcher", "restore.tar-zstd-local", 1.3)
for v, how in (("link", "install-from"), ("copy", "cp -a hook")):
    ratio(f"whole halcyon build ({how}) vs tar -czf + curl", f"upload.halcyon-{v}.command", "upload.tar-czf-curl", 0.3, True)
    ratio(f"archive+upload tail ({how}) vs tar -czf + curl", f"upload.halcyon-{v}.archive-upload", "upload.tar-czf-curl", 0.3, True)
ratio("nothing to do vs bare JVM", "noop.halcyon", "noop.java-hello", 3)
ratio("nothing to do (CDS, C1, SerialGC) vs bare JVM", "noop.halcyon-cds-c1-serial", "noop.java-hello", 3)
ratio("nothing to do (bin/halcyon) vs bare JVM", "noop.launcher", "noop.java-hello", 3)
for t in ("gen", "real"):
    for store, floor, target in (("folder", "restore.tar-zstd-local", 1.2), ("s3", "restore.curl-tar-zstd", 1.0)):
        p = f"fresh.{t}.{store}."
        for how, label in (("java-jar", "java -jar"), ("launcher-first", "bin/halcyon, no archive"), ("launcher-cds", "bin/halcyon, archive")):
            ratio(f"{t} tree, {store}: restore ({label}) vs {floor.split('.', 1)[1]}", p + "restore." + how, p + floor, target, True)
        ratio(f"{t} tree, {store}: first run, bin/halcyon vs java -jar", p + "restore.launcher-first", p + "restore.java-jar", 1.05, True)
        for how, label in (("java-jar", "java -jar"), ("launcher-first", "bin/halcyon, no archive"), ("launcher-cds", "bin/halcyon, restore's archive"), ("launcher-own", "bin/halcyon, its own archive")):
            ratio(f"{t} tree, {store}: nothing to do ({label}) vs bare JVM", p + "noop." + how, p + "noop.java-hello", 3, True)
        ratio(f"{t} tree, {store}: nothing to do, first run, bin/halcyon vs java -jar", p + "noop.launcher-first", p + "noop.java-jar", 1.05, True)
if med("memory.halcyon-2g-xmx64m") and med("memory.halcyon-300m-xmx64m"):
    a = statistics.median(rss["memory.halcyon-2g-xmx64m"]) / 1024
    b = statistics.median(rss["memory.halcyon-300m-xmx64m"]) / 1024
    print(f"| restore memory independent of size | peak RSS 2 GB / 300 MB archive = {a:.0f} / {b:.0f} MB | {a / b:.2f} | ≈ 1 | {'yes' if a / b < 1.2 else '**no**'} |")
print()
print("Load average (1/5/15 min) during the run: " + "; ".join(f"{k} {v}" for k, v in loads))
