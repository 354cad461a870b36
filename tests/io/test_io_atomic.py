"""Atomic writes: a file is replaced whole or not at all, even when the process is killed.

``plainnet.io.atomic.replace_atomically`` writes under a temporary name,
syncs, and renames over the target; ``save`` writes every model file with it.
"""

from __future__ import annotations

import os
import random
import re
import stat
import sys
import time

import numpy as np
import pytest
from io_helpers import first_line, kill, saved_model, start, temporary_files, training_data

import plainnet
from plainnet import Dense, Sequential
from plainnet.io import replace_atomically


@pytest.fixture
def saved(tmp_path):
    """``(model, path)``: a trained model saved to a file."""
    return saved_model(tmp_path)


def test_saving_replaces_an_existing_file_and_leaves_no_temporary_file(saved):
    model, path = saved
    X, y = training_data()
    model.fit(X, y, epochs=3, resume=True, verbose=0)  # one epoch more
    model.save(path)
    assert plainnet.load(path).epochs_done == 3
    assert temporary_files(path.parent) == []


def test_new_files_get_the_usual_permissions(tmp_path):
    umask = os.umask(0o022)
    try:
        Sequential([Dense(1, 1)]).save(tmp_path / "m.pnet")
    finally:
        os.umask(umask)
    assert stat.S_IMODE(os.stat(tmp_path / "m.pnet").st_mode) == 0o644


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="needs symbolic links")
def test_saving_through_a_symbolic_link_replaces_its_target(tmp_path):
    target = tmp_path / "real.pnet"
    Sequential([Dense(1, 1)], seed=0).save(target)
    (tmp_path / "link.pnet").symlink_to(target)
    Sequential([Dense(1, 2)], seed=0).save(tmp_path / "link.pnet")
    assert (tmp_path / "link.pnet").is_symlink()
    assert plainnet.load(target).n_outputs == 2




def test_a_failed_write_keeps_the_old_file_and_removes_its_temporary(saved):
    _, path = saved
    before = path.read_bytes()

    def write_half_then_fail(file):
        file.write(b"PK\x03\x04 half a file")
        raise OSError("disk full")

    with pytest.raises(OSError, match="disk full"):
        replace_atomically(path, write_half_then_fail)
    assert path.read_bytes() == before
    assert temporary_files(path.parent) == []

    def write_then_ctrl_c(file):
        file.write(b"PK")
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):  # not only errors: anything that stops the write
        replace_atomically(path, write_then_ctrl_c)
    assert path.read_bytes() == before
    assert temporary_files(path.parent) == []


def test_saving_into_a_missing_folder_is_an_os_error(tmp_path):
    path = tmp_path / "no" / "such" / "m.pnet"
    with pytest.raises(FileNotFoundError) as info:
        Sequential([Dense(1, 1)]).save(path)
    assert info.value.filename == str(path)  # the file asked for, not the temporary one


@pytest.mark.skipif(os.name != "posix", reason="POSIX permissions")
def test_replacing_a_file_keeps_its_permissions(tmp_path):
    path = tmp_path / "private.pnet"
    Sequential([Dense(1, 1)]).save(path)
    os.chmod(path, 0o600)
    Sequential([Dense(1, 2)]).save(path)
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert plainnet.load(path).n_outputs == 2


def test_a_long_non_ascii_file_name_can_be_saved(tmp_path):
    path = tmp_path / ("é" * 125 + ".pnet")  # 255 bytes in UTF-8: the longest name allowed
    try:
        path.write_bytes(b"")
    except OSError:
        pytest.skip("the file system does not take 255-byte names")
    Sequential([Dense(1, 1)]).save(path)
    assert plainnet.load(path).n_outputs == 1
    assert temporary_files(tmp_path) == []


def test_a_folder_that_cannot_be_opened_for_syncing_does_not_fail_a_save(tmp_path, monkeypatch):
    real_open = os.open

    def refuse_folders(path, flags, *args):
        if os.path.isdir(path):
            raise PermissionError(13, "Permission denied", path)
        return real_open(path, flags, *args)

    monkeypatch.setattr(os, "open", refuse_folders)
    Sequential([Dense(1, 1)]).save(tmp_path / "m.pnet")
    assert plainnet.load(tmp_path / "m.pnet").n_outputs == 1


def test_any_content_can_be_written_atomically(tmp_path):
    path = tmp_path / "predictions.csv"
    replace_atomically(path, lambda file: file.write(b"a,b\n1,2\n"))
    assert path.read_text() == "a,b\n1,2\n"
    replace_atomically(str(path), lambda file: file.write(b"new"))
    assert path.read_bytes() == b"new"
    assert os.listdir(tmp_path) == ["predictions.csv"]


SAVE_FOREVER = """
import sys
import numpy as np
from plainnet import Dense, ReLU, Sequential

path = sys.argv[1]
model = Sequential([Dense(700, 700), ReLU(), Dense(700, 700)], seed=0, dtype=np.float64)
version = 0
while True:  # save versions 1, 2, 3, ... of a 7.8 MB model until killed
    version += 1
    for layer in model.layers:
        for array in layer.arrays().values():
            array.fill(version)
    model.epochs_done = version
    model.save(path)
    print(version, flush=True)
"""


@pytest.mark.skipif(sys.platform == "win32", reason="needs SIGKILL")
def test_a_save_killed_at_any_moment_leaves_the_old_or_the_new_file(tmp_path):
    path = tmp_path / "model.pnet"
    chance = random.Random(12345)
    interrupted_saves = 0
    for _ in range(6):
        process = start(SAVE_FOREVER, path)
        reported = [int(first_line(process))]  # at least one complete save
        time.sleep(chance.uniform(0.0, 0.15))
        reported += [int(line) for line in kill(process)]
        last_reported = reported[-1]

        model = plainnet.load(path)  # never damaged
        version = model.epochs_done
        # the save under way may have finished its rename just before the kill
        assert version in (last_reported, last_reported + 1)
        for array in model.get_weights():
            assert np.all(array == version)  # all of one version: never a mixture

        leftovers = [name for name in os.listdir(tmp_path) if name != "model.pnet"]
        for name in leftovers:
            assert re.fullmatch(r"\.model\.pnet\.tmp-[0-9a-f]{8}", name), name
            os.unlink(tmp_path / name)
        interrupted_saves += bool(leftovers)
    assert interrupted_saves > 0, "no kill landed in the middle of a save"
