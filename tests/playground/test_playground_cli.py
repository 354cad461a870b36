"""``plainnet playground`` as a user starts it: prints the address, serves, stops on Ctrl-C."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import urllib.request

import pytest

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="sends SIGINT")


def start(*arguments: str) -> subprocess.Popen:
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    return subprocess.Popen([sys.executable, "-m", "plainnet", "playground", *arguments],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)


def test_the_command_serves_the_page_and_stops_cleanly_on_ctrl_c():
    process = start("--port", "0", "--no-browser")
    try:
        first_line = process.stdout.readline()
        match = re.fullmatch(r"plainnet playground: (http://127\.0\.0\.1:(\d+)/)\n", first_line)
        assert match, first_line
        url = match.group(1)
        with urllib.request.urlopen(url, timeout=30) as response:
            assert response.status == 200
            assert b"plainnet playground" in response.read()
        process.send_signal(signal.SIGINT)
        stdout, stderr = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
    assert process.returncode == 0, stderr
    assert "Traceback" not in stderr and "stopped" in stderr


def test_a_port_that_is_taken_or_wrong_is_a_one_line_error(tmp_path):
    process = start("--port", "0", "--no-browser")
    try:
        port = re.search(r":(\d+)/", process.stdout.readline()).group(1)
        second = subprocess.run([sys.executable, "-m", "plainnet", "playground", "--port", port,
                                 "--no-browser"], capture_output=True, text=True, timeout=60)
        assert second.returncode == 2
        assert second.stderr.startswith("plainnet: error:") and second.stderr.count("\n") == 1
    finally:
        process.send_signal(signal.SIGINT)
        process.communicate(timeout=30)
    wrong = subprocess.run([sys.executable, "-m", "plainnet", "playground", "--port", "70000"],
                           capture_output=True, text=True, timeout=60)
    assert wrong.returncode == 2 and "port number" in wrong.stderr


def test_the_help_explains_the_options_with_an_example():
    result = subprocess.run([sys.executable, "-m", "plainnet", "playground", "--help"],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0
    assert re.search(r"^example:\n  plainnet playground", result.stdout, re.MULTILINE)
    for option in ("--port", "--no-browser", "127.0.0.1", "Ctrl-C"):
        assert option in result.stdout
