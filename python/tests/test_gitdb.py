"""gitdb, unchanged, reads a real git pack through this smmap."""
import binascii
import os
import shutil
import subprocess
import sys

import pytest

import smmap

git = shutil.which("git")
pytestmark = pytest.mark.skipif(git is None, reason="git is not installed")
gitdb = pytest.importorskip("gitdb")


def run_git(repo, *args, **kwargs):
    env = dict(os.environ, GIT_AUTHOR_NAME="T", GIT_AUTHOR_EMAIL="t@example.com",
               GIT_COMMITTER_NAME="T", GIT_COMMITTER_EMAIL="t@example.com",
               GIT_CONFIG_NOSYSTEM="1", HOME=str(repo))
    return subprocess.run([git, *args], cwd=repo, env=env, check=True,
                          stdout=subprocess.PIPE, **kwargs).stdout


@pytest.fixture(scope="module")
def repo(tmp_path_factory):
    """A repository of several commits of growing files, packed by git gc
    (so the pack holds deltas)."""
    from smmap.test.lib import file_bytes
    repo = tmp_path_factory.mktemp("repo")
    run_git(repo, "init", "-q")
    body = bytearray(file_bytes(300_000))
    for commit in range(6):
        for name in ("a.bin", "b.txt", "c/d.bin"):
            path = repo / name
            path.parent.mkdir(exist_ok=True)
            body[commit * 1000:commit * 1000 + 50] = bytes([commit]) * 50
            path.write_bytes(bytes(body[:100_000 * (1 + commit % 3)]) + name.encode() * commit)
        run_git(repo, "add", "-A")
        run_git(repo, "commit", "-q", "-m", "commit %d" % commit)
    run_git(repo, "gc", "-q", "--aggressive")
    assert not any((repo / ".git" / "objects").glob("??/*")), "everything is packed"
    return repo


def objects_of(repo):
    listing = run_git(repo, "rev-list", "--objects", "--all").decode().split("\n")
    return [line.split()[0] for line in listing if line]


def test_gitdb_uses_this_smmap():
    import gitdb.util
    assert sys.modules["smmap"] is smmap
    assert smmap.__backend__ == "c++"
    assert isinstance(gitdb.util.mman, smmap.SlidingWindowMapManager)
    assert gitdb.util.SlidingWindowMapBuffer is smmap.SlidingWindowMapBuffer
    assert os.path.dirname(smmap.__file__) != "/usr/lib/python3/dist-packages/smmap"


def test_git_objects_read_through_gitdb(repo):
    from gitdb.db import GitDB
    db = GitDB(str(repo / ".git" / "objects"))
    shas = objects_of(repo)
    assert len(shas) >= 20
    for hex_sha in shas:
        binsha = binascii.unhexlify(hex_sha)
        kind = run_git(repo, "cat-file", "-t", hex_sha).strip()
        expected = run_git(repo, "cat-file", kind.decode(), hex_sha)
        info = db.info(binsha)
        assert info.type == kind and info.size == len(expected)
        assert db.stream(binsha).read() == expected, hex_sha


def test_pack_entity_verifies_every_object(repo):
    from gitdb.pack import PackEntity
    packs = list((repo / ".git" / "objects" / "pack").glob("*.pack"))
    assert len(packs) == 1
    entity = PackEntity(str(packs[0]))
    index = entity.index()
    assert index.size() == len(objects_of(repo))
    deltas = 0
    for info in entity.pack().stream_iter():
        deltas += info.type_id in (6, 7)  # OFS_DELTA, REF_DELTA
    assert deltas > 0, "the pack should hold deltas"
    for i in range(index.size()):
        sha = index.sha(i)
        assert entity.is_valid_stream(sha, use_crc=True)
        assert index.sha_to_index(sha) == i
    assert entity.pack().checksum() == index.packfile_checksum()
