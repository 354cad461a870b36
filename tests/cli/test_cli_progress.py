"""The progress line of ``plainnet train``: rewritten on a terminal, sparse in a log."""

from __future__ import annotations

import io

from plainnet.cli.progress import ProgressLine


class Terminal(io.StringIO):
    def isatty(self):
        return True


def test_progress_line_on_a_terminal_and_in_a_log():
    terminal = Terminal()
    progress = ProgressLine(3, terminal)
    progress.on_epoch_end(0, {"loss": 0.123456, "val_loss": 1.5})
    progress.on_epoch_end(1, {"loss": 0.1})  # shorter: it covers the longer line
    progress.on_train_end()
    first, second = terminal.getvalue().split("\r")[1:]
    assert first.startswith("epoch 1/3  loss 0.1235  val_loss 1.5  ETA ")
    assert second.rstrip().startswith("epoch 2/3  loss 0.1  ETA ")
    assert len(second) == len(first) + 1  # covers the longer line
    assert second.endswith("\n")

    log = io.StringIO()
    progress = ProgressLine(25, log)  # a line every 2 epochs, and the last one
    for epoch in range(7):  # stopped early after 7
        progress.on_epoch_end(epoch, {"loss": 1.0})
    progress.on_train_end()
    lines = log.getvalue().splitlines()
    assert [line.split("  ETA")[0] for line in lines] == [f"epoch {e}/25  loss 1"
                                                         for e in (2, 4, 6, 7)]
