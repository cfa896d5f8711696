#!/usr/bin/env python3
"""Copy collected public Unity projects into the evidence folder.

usage: scripts/corpus-import.py RAW_DIR [OUT_DIR]

RAW_DIR holds one folder per project, each with ProjectSettings/ProjectVersion.txt,
Packages/packages-lock.json, optionally Packages/manifest.json, and SOURCE.json
({"repo", "prefix", "commit", "editor", "pair"?}) saying where they were read.
OUT_DIR (default testdata/unity-projects) gets the same files and index.json.

A project whose lock has Git or local-tarball packages keeps its lock as
evidence only (no manifest, "pair": true): their sources are not here. A
project whose manifest and lock disagree (the manifest changed after Unity
wrote the lock) is kept with "stale": true and is no evidence at all: its
lock may be another editor's.

Registry host names other than Unity's own (and Unity China's) are replaced by example.com names
(the same host always by the same name), in the manifest's "registry" and
scopedRegistries "url" values and in the lock's "url" values; nothing else
changes, so a lock stays byte for byte what Unity wrote, hosts aside.
"""
import json
import os
import re
import shutil
import sys

UNITY = {"packages.unity.com", "packages.unity.cn"}  # Unity's own, and Unity China's
GENERIC = {"www", "package", "packages", "registry", "npm", "api", "pkgs", "pkg", "upm",
           "com", "org", "net", "io", "cn", "dev", "jp", "co", "kr", "ru", "de", "app"}
URL_KEY = re.compile(r'("(?:url|registry)"\s*:\s*")(https?://)([^/":]+)')


def host_name(host, taken):
    labels = [l for l in host.lower().split(".") if l and l not in GENERIC and not l.isdigit()]
    base = re.sub(r"[^a-z0-9-]", "-", labels[0] if labels else "registry")
    name, n = base, 2
    while name in taken.values() and taken.get(host) != name:
        name, n = f"{base}{n}", n + 1
    return name


def rewrite(text, taken):
    def sub(m):
        host = m.group(3)
        if host.lower() in UNITY or host.lower().endswith(".example.com"):
            return m.group(0)
        if host not in taken:
            taken[host] = host_name(host, taken)
        return m.group(1) + m.group(2) + taken[host] + ".example.com"
    return URL_KEY.sub(sub, text)


def version_key(v):
    m = re.match(r"^(\d+)\.(\d+)\.(\d+)", v)
    return tuple(int(x) for x in m.groups()) if m else None


def stale_lock(manifest_path, locked):
    """Why the lock cannot be the one Unity wrote for this manifest, or None:
    a direct dependency missing from it, or a registry one locked below the
    manifest's version (Unity installs the highest version requested)."""
    if not os.path.isfile(manifest_path):
        return None
    with open(manifest_path) as f:
        deps = json.load(f).get("dependencies", {})
    for name, want in deps.items():
        entry = locked.get(name)
        if entry is None:
            return f"manifest and lock disagree: {name} is not in the lock"
        have, asked = version_key(entry.get("version", "")), version_key(want)
        if entry.get("source") == "registry" and have and asked and have < asked:
            return f"manifest and lock disagree: {name} {want} asked, {entry['version']} locked"
    return None


def main():
    raw = sys.argv[1]
    out = sys.argv[2] if len(sys.argv) > 2 else "testdata/unity-projects"
    os.makedirs(out, exist_ok=True)
    index, taken = [], {}
    for pid in sorted(os.listdir(raw)):
        src = os.path.join(raw, pid)
        meta_path = os.path.join(src, "SOURCE.json")
        lock = os.path.join(src, "Packages", "packages-lock.json")
        pv = os.path.join(src, "ProjectSettings", "ProjectVersion.txt")
        if not (os.path.isfile(meta_path) and os.path.isfile(lock) and os.path.isfile(pv)):
            print(f"skip {pid}: incomplete", file=sys.stderr)
            continue
        meta = json.load(open(meta_path))
        custom = False
        if not re.match(r"^\d+\.\d+\.\d+(a|b|f|p|rc|x)\d+(c\d+)?$", meta["editor"]):
            if not re.match(r"^\d+\.\d+\.\d+(a|b|f|p|rc|x)\d+(c\d+)?[-+._][0-9A-Za-z._-]+$", meta["editor"]):
                print(f"skip {pid}: {meta['editor']} is no Unity release version", file=sys.stderr)
                continue
            custom = True  # a custom build ("-dots"): installed, but no evidence of the release's built-ins
        dst = os.path.join(out, pid)
        if os.path.isdir(dst):
            shutil.rmtree(dst)
        for rel in ("ProjectSettings/ProjectVersion.txt", "Packages/packages-lock.json", "Packages/manifest.json"):
            s = os.path.join(src, rel)
            if not os.path.isfile(s):
                continue
            os.makedirs(os.path.dirname(os.path.join(dst, rel)), exist_ok=True)
            with open(s, newline="") as f:
                text = f.read()
            if rel.endswith(".json"):
                text = rewrite(text, taken)
            with open(os.path.join(dst, rel), "w", newline="") as f:
                f.write(text)
        e = {"id": pid, "repo": meta["repo"], "prefix": meta.get("prefix", ""),
             "commit": meta["commit"], "editor": meta["editor"]}
        with open(lock) as f:
            locked = json.load(f).get("dependencies", {})
        sources = {entry.get("source") for entry in locked.values()}
        unrunnable = sources & {"git", "local-tarball"}
        stale = stale_lock(os.path.join(src, "Packages", "manifest.json"), locked)
        if stale:
            # The manifest changed after Unity wrote the lock (committed
            # without opening the Editor): the pair is no test of resolution.
            manifest = os.path.join(dst, "Packages", "manifest.json")
            if os.path.isfile(manifest):
                os.remove(manifest)
            e["pair"] = True
            e["stale"] = True
            e["why"] = stale
        elif unrunnable:
            # Evidence of built-in packages only: its Git repositories and
            # tarballs are not here, so the end-to-end test cannot install it.
            manifest = os.path.join(dst, "Packages", "manifest.json")
            if os.path.isfile(manifest):
                os.remove(manifest)
            e["pair"] = True
            e["why"] = "lock has " + " and ".join(sorted(unrunnable)) + " packages"
        elif not os.path.isfile(os.path.join(src, "Packages", "manifest.json")):
            e["pair"] = True
        if custom:
            e["custom"] = True
        index.append(e)
    with open(os.path.join(out, "index.json"), "w") as f:
        json.dump(index, f, indent=2)
        f.write("\n")
    print(f"{len(index)} projects; registry hosts renamed: {len(taken)}")


if __name__ == "__main__":
    main()
