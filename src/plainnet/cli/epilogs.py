"""The examples and explanations at the end of each command's ``--help``.

Every epilog starts its examples with ``example:`` and one ``plainnet ...``
line (a test checks each command has one), then ``more examples:``.
"""

__all__ = ["EPILOG_EVALUATE", "EPILOG_MAIN", "EPILOG_PLOT", "EPILOG_PLOT_HISTORY",
           "EPILOG_PREDICT", "EPILOG_SUMMARY", "EPILOG_TRAIN", "EPILOG_XOR"]

EPILOG_MAIN = """\
example:
  plainnet train iris.csv --target species --out iris.pnet
more examples:
  plainnet xor --plot xor.png                        the tutorial's network learns XOR
  plainnet predict iris.pnet new.csv --proba         predictions with the label names
  plainnet evaluate iris.pnet test.csv --target species
  plainnet summary iris.pnet                         layers and training record
  plainnet plot iris.pnet test.csv --target species --out iris.png
  plainnet lm train --out code.pnet                  a language model of Python code
  plainnet playground                                watch networks learn in a browser
  mpiexec -n 2 plainnet train big.csv --target y --distributed   one model, two processes

Run `plainnet COMMAND --help` for the options of a command.
Exit status: 0 ok; 2 misuse (wrong option, missing or damaged file, data that
do not fit), with one line `plainnet: error: ...`; 130 Ctrl-C.
Set PLAINNET_DEBUG=1 to see full tracebacks.
"""

EPILOG_XOR = """\
example:
  plainnet xor --seed 0 --plot xor.png   train, print the table, draw loss and surface
more examples:
  plainnet xor --seed 3 --epochs 5000    other initial weights, longer training
  plainnet xor --out xor.pnet            also save the network (see `plainnet summary`)
"""

EPILOG_TRAIN = """\
DATA.csv has a header row (comma, semicolon or tab between cells, found from
the first lines); every column but --target is a feature, or those of
--features, less those of --drop (--list-columns shows them all). A text
column is one-hot encoded (its categories are kept in the model); an unnamed
column, such as the index pandas writes, is left out; missing cells (empty,
NA, NaN) are an error unless --missing drop, mean or median. The task is
guessed from the target (text, or at most 20 distinct whole numbers:
classification; other numbers: regression) unless --task says. The model
is a stack of Dense layers (--hidden sizes, --activation between them) with
the output the task needs:
  2 classes            1 output + Sigmoid, binary cross-entropy
  3 or more classes    k outputs + Softmax, categorical cross-entropy
  regression           1 linear output, mean squared error
Rows are shuffled with --seed, then the last --validation-split of them is
held out. Features (and a regression target) are standardised with the
training rows' mean and standard deviation; the scaling is then folded into
the first (and last) Dense layer, so the saved model takes raw inputs. The
model file keeps, in its metadata, the feature names, the scaling, the class
labels (e.g. "setosa"), the target, the settings and the final metrics.

--checkpoint FILE saves the whole training state after every epoch; after an
interruption, the same command with --resume goes on from there and ends
with exactly the model an uninterrupted run gives (with --early-stopping,
the best weights so far are kept in FILE.best).

example:
  plainnet train iris.csv --target species --hidden 16 --out iris.pnet
more examples:
  plainnet train houses.csv --target price --task regression --epochs 300 --plot curves.png
  plainnet train big.csv --target y --early-stopping 10 --checkpoint run.ckpt --out big.pnet
  plainnet train big.csv --target y --early-stopping 10 --checkpoint run.ckpt --out big.pnet \\
      --resume                                                  (after an interruption)
  plainnet train --data moons --epochs 200 --out moons.pnet     (a built-in data set)
  plainnet train cars.csv --target price --drop id --missing median --test-size 0.2
  plainnet train scans.csv --target diagnosis --class-weight balanced --dropout 0.2 --l2 1e-4
"""

EPILOG_PREDICT = """\
The model's feature columns are found in DATA.csv by name (the model file
keeps them), in any order; other columns, such as the target, are ignored.
A missing column is an error naming it. Models without feature names (made
in Python, or trained on --data) read every column but --target, in file
order. Classifiers write the label names they were trained on ("setosa"),
and with --proba also a column probability_<label> per class.

example:
  plainnet predict iris.pnet new.csv --out predictions.csv --proba
more examples:
  plainnet predict iris.pnet new.csv                   CSV on standard output
  plainnet predict houses.pnet new.csv | head
"""

EPILOG_EVALUATE = """\
Classifiers: the accuracy, the cross-entropy loss, a confusion matrix
labelled with the class names (rows: the true class, columns: the predicted
one) and each class's precision, recall, F1 and support. Regression: the
mean squared error, mean absolute error and R².
Labels are matched to the classes saved with the model, so the file may hold
only some of them; a label the model was not trained on is an error.
--target defaults to the column the model was trained on.

example:
  plainnet evaluate iris.pnet test.csv --target species
more examples:
  plainnet evaluate houses.pnet test.csv --target price --json
  plainnet evaluate moons.pnet --data moons --seed 1            (fresh samples)
"""

EPILOG_SUMMARY = """\
The layers with their output shapes and parameter counts, then what the
model file records about its training: task, target, features, classes,
settings, epochs and the final metrics.

example:
  plainnet summary iris.pnet
"""

EPILOG_PLOT = """\
Needs matplotlib (the "plot" extra; the error says how to install it here).
Without a data file: the training history (loss and metrics, training and
validation). With one: a classifier with two input features gets its
decision regions, with the data on top; any other model its history.

example:
  plainnet plot moons.pnet points.csv --target label --out boundary.png
more examples:
  plainnet plot iris.pnet --out history.png
  plainnet plot moons.pnet --data moons --out boundary.png
"""

EPILOG_PLOT_HISTORY = """\
Needs matplotlib (the "plot" extra; the error says how to install it here).

example:
  plainnet train data.csv --target y --log log.csv && plainnet plot-history log.csv --out c.png
more examples:
  plainnet plot-history log.csv --metrics loss --out loss.png
"""
