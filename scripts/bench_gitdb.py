#!/usr/bin/python3
"""gitdb and GitPython, unchanged, on Debian's python3-smmap and on this
project's package: the same phases in alternating processes, with the bytes
each read hashed and compared.

    make bench-gitdb                      # builds, then runs this
    /usr/bin/python3 scripts/bench_gitdb.py [--build build] [--repeat 2] [--json out.json]

The repository is generated once, deterministically, and kept in
BUILD/bench-gitdb/repo: `git fast-import` of a history of COMMITS commits,
each changing a few text files of a tree of FILES files in two levels of
directories (commits, trees and blobs: 114,305 objects), then `git
gc`, which stores most blobs and trees as deltas in one pack.

Times are CPU time of the thread (time.thread_time()): the machine is shared,
and wall time mostly measures the neighbours. Phases (each in a fresh
process, ours and the reference alternately, best of --repeat). gitdb is pure Python and resolves deltas itself, so the phases
that resolve them are kept to a sample to keep the run to minutes:
  info_iter   PackEntity.info_iter(): type and size of the first INFO_OBJECTS
              objects (in sha order, so spread over the pack; each resolves
              its delta chain)
  read_all    PackFile.stream_iter(): every object's data as stored (deltas
              not applied), in pack order
  random_read info and stream(sha).read() (deltas applied) of RANDOM_READS
              shas in a seeded random order
  sha_lookup  PackIndexFile.sha_to_index() of every sha
  gitpython   git.Repo(odbt=git.db.GitDB): every commit, and every distinct
              tree reached from every TREE_EVERY-th one, read through
              GitPython's object model
"""
import argparse
import hashlib
import json
import os
import random
import shutil
import subprocess
import sys
import time

COMMITS = 6000  # with the rest: 114,305 objects (6,000 commits, 70,429 trees, 37,876 blobs)
DIRS = 12
SUBDIRS = 8
FILES_PER_SUBDIR = 20  # 12 * 8 * 20 = 1,920 files
CHANGES_PER_COMMIT = 6
INFO_OBJECTS = 10000  # gitdb resolves each delta chain for its header: ~0.3 ms an object
RANDOM_READS = 2000  # deltas applied in Python: ~5 ms an object
TREE_EVERY = 500  # GitPython walks the trees of every 500th commit
SEED = 20261126

PHASES = ("info_iter", "read_all", "random_read", "sha_lookup", "gitpython")
IMPLEMENTATIONS = ("python3-smmap", "ours")
TARGETS = {"sha_lookup": 1.2, "info_iter": 1.2}
FLOOR = 0.97

WORDS = ("smmap window region cursor map buffer file offset size page handle "
         "memory pack index delta object tree commit blob sha stream read").split()


# --- the repository -----------------------------------------------------------

def file_lines(rng, count):
    return ["%s %d %s\n" % (rng.choice(WORDS), rng.randrange(1 << 20), rng.choice(WORDS))
            for _ in range(count)]


def fast_import_stream(out):
    """Writes a deterministic fast-import stream of COMMITS commits to |out|."""
    rng = random.Random(SEED)
    paths = ["d%02d/s%d/f%02d.txt" % (d, s, f) for d in range(DIRS) for s in range(SUBDIRS)
             for f in range(FILES_PER_SUBDIR)]
    contents = {path: file_lines(rng, rng.randrange(20, 120)) for path in paths}

    def data(payload):
        out.write(b"data %d\n" % len(payload))
        out.write(payload)
        out.write(b"\n")

    for number in range(COMMITS):
        if number == 0:
            changed = paths
        else:
            changed = rng.sample(paths, CHANGES_PER_COMMIT)
            for path in changed:
                lines = contents[path]
                for _ in range(rng.randrange(1, 4)):
                    at = rng.randrange(len(lines))
                    action = rng.randrange(3)
                    if action == 0:
                        lines[at] = file_lines(rng, 1)[0]
                    elif action == 1:
                        lines.insert(at, file_lines(rng, 1)[0])
                    elif len(lines) > 10:
                        del lines[at]
        out.write(b"commit refs/heads/master\n")
        stamp = 1700000000 + number * 600
        out.write(b"author A U Thor <author@example.com> %d +0000\n" % stamp)
        out.write(b"committer C O Mitter <committer@example.com> %d +0000\n" % stamp)
        data(("change %d: %s\n" % (number, ", ".join(changed[:3]))).encode())
        for path in changed:
            out.write(b"M 100644 inline %s\n" % path.encode())
            data("".join(contents[path]).encode())
        out.write(b"\n")


def git(repo, *args, **kwargs):
    env = dict(os.environ, GIT_CONFIG_NOSYSTEM="1", HOME=repo)
    return subprocess.run(["git", *args], cwd=repo, env=env, check=True,
                          stdout=subprocess.PIPE, **kwargs).stdout


def ensure_repository(directory):
    """The cached repository under |directory|; generated when missing."""
    repo = os.path.join(directory, "repo")
    done = os.path.join(directory, "repo.done")
    if os.path.exists(done):
        return repo
    shutil.rmtree(repo, ignore_errors=True)
    os.makedirs(repo)
    print("generating %s (%d commits; once)" % (repo, COMMITS), file=sys.stderr, flush=True)
    started = time.time()
    git(repo, "init", "-q", "-b", "master")
    importer = subprocess.Popen(["git", "fast-import", "--quiet"], cwd=repo, stdin=subprocess.PIPE)
    fast_import_stream(importer.stdin)
    importer.stdin.close()
    if importer.wait() != 0:
        raise SystemExit("git fast-import failed")
    git(repo, "gc", "-q", "--prune=now")
    count = int(git(repo, "rev-list", "--objects", "--all", "--count").strip() or 0)
    with open(done, "w") as f:
        f.write("%d objects\n" % count)
    print("generated in %.0f s" % (time.time() - started), file=sys.stderr)
    return repo


# --- the phases (run in a child process) --------------------------------------

def the_pack(repo):
    from gitdb.pack import PackEntity
    packs = [name for name in os.listdir(os.path.join(repo, ".git/objects/pack"))
             if name.endswith(".pack")]
    assert len(packs) == 1, packs
    return PackEntity(os.path.join(repo, ".git/objects/pack", packs[0]))


def phase_info_iter(repo, digest):
    count = 0
    for info in the_pack(repo).info_iter():
        digest.update(info.binsha + info.type + b"%d" % info.size)
        count += 1
        if count == INFO_OBJECTS:
            break
    return count


def phase_read_all(repo, digest):
    count = 0
    for stream in the_pack(repo).pack().stream_iter():
        digest.update(b"%d %d " % (stream.pack_offset, stream.type_id) + stream.read())
        count += 1
    return count


def phase_random_read(repo, digest):
    entity = the_pack(repo)
    index = entity.index()
    order = random.Random(SEED).choices(range(index.size()), k=RANDOM_READS)
    shas = [index.sha(i) for i in order]
    started = time.thread_time()
    for sha in shas:
        info = entity.info(sha)
        digest.update(b"%d" % info.size + entity.stream(sha).read())
    return len(shas), time.thread_time() - started


def phase_sha_lookup(repo, digest):
    index = the_pack(repo).index()
    shas = [index.sha(i) for i in range(index.size())]
    started = time.thread_time()
    total = 0
    for sha in shas:
        total += index.sha_to_index(sha)
    digest.update(b"%d" % total)
    return len(shas), time.thread_time() - started


def phase_gitpython(repo, digest):
    import git
    from git.db import GitDB
    r = git.Repo(repo, odbt=GitDB)
    seen = set()
    count = 0

    def walk(tree):
        nonlocal count
        if tree.binsha in seen:
            return
        seen.add(tree.binsha)
        for item in tree:
            digest.update(item.binsha + item.path.encode())
            count += 1
            if item.type == "tree":
                walk(item)

    for number, commit in enumerate(r.iter_commits("master")):
        digest.update(commit.binsha + commit.message.encode() + commit.author.email.encode())
        count += 1
        if number % TREE_EVERY == 0:
            walk(commit.tree)
    return count


def run_phase(phase, repo):
    import smmap
    digest = hashlib.sha256()
    started = time.thread_time()
    result = globals()["phase_" + phase](repo, digest)
    seconds = time.thread_time() - started
    if isinstance(result, tuple):  # the phase timed its own loop, without set-up
        result, seconds = result
    return {"seconds": seconds, "items": result, "digest": digest.hexdigest(),
            "smmap": os.path.dirname(smmap.__file__),
            "backend": getattr(smmap, "__backend__", "python")}


# --- the driver ---------------------------------------------------------------

def child(phase, implementation, repo, build):
    env = dict(os.environ)
    env.pop("PYTHONPATH", None)
    if implementation == "ours":
        env["PYTHONPATH"] = os.path.join(build, "python")
    done = subprocess.run([sys.executable, __file__, "--child", phase, "--repo", repo], env=env,
                          check=True, stdout=subprocess.PIPE)
    result = json.loads(done.stdout)
    want = "c++" if implementation == "ours" else "python"
    assert result["backend"] == want, (implementation, result["smmap"])
    return result


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--build", default="build")
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--phase", action="append", choices=PHASES)
    parser.add_argument("--json")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--repo", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(run_phase(args.child, args.repo)))
        return
    build = os.path.abspath(args.build)
    directory = os.path.join(build, "bench-gitdb")
    repo = ensure_repository(directory)
    with open(os.path.join(directory, "repo.done")) as f:
        objects = f.read().split()[0]
    print("repository: %s, %s objects, pack %.0f MiB" % (
        repo, objects, sum(os.path.getsize(os.path.join(repo, ".git/objects/pack", n))
                           for n in os.listdir(os.path.join(repo, ".git/objects/pack"))) / 2**20))
    results = {}
    failed = False
    print("%-12s %10s %14s %14s %7s  %s" % ("phase", "items", "python3-smmap", "ours", "ratio", ""))
    for phase in args.phase or PHASES:
        best = {}
        digests = set()
        items = None
        for round_ in range(args.repeat):
            # alternate which goes first, so neither always meets a warmer cache
            order = IMPLEMENTATIONS if round_ % 2 == 0 else IMPLEMENTATIONS[::-1]
            for implementation in order:
                result = child(phase, implementation, repo, build)
                digests.add(result["digest"])
                items = result["items"]
                best[implementation] = min(best.get(implementation, float("inf")), result["seconds"])
        if len(digests) != 1:
            raise SystemExit("%s: the two read different bytes" % phase)
        ratio = best["python3-smmap"] / best["ours"]
        target = TARGETS.get(phase, FLOOR)
        ok = ratio >= target
        failed |= not ok
        results[phase] = {"items": items, "seconds": best, "ratio": ratio, "target": target,
                          "digest": digests.pop()}
        print("%-12s %10d %12.3f s %12.3f s %6.2fx  %s (target >= %.2fx)" % (
            phase, items, best["python3-smmap"], best["ours"], ratio,
            "ok" if ok else "MISSED", target), flush=True)
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"objects": int(objects), "repeat": args.repeat, "phases": results}, f,
                      indent=2)
    if failed:
        print("some targets were missed (a benchmark, not a test: exit status 0)")


if __name__ == "__main__":
    main()
