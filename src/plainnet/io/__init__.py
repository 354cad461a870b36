"""Save and load models: one file, safe to open, written atomically, versioned.

The file
--------
A plainnet model file (suggested extension ``.pnet``) is a zip archive laid
out as :func:`numpy.savez` lays one out: every member stored uncompressed,
every array a ``.npy`` member. It holds

``model.json``
    A UTF-8 JSON document: the format name and version, the plainnet
    version that wrote it, the kind of model, its layers (type name,
    constructor arguments and whether the layer is trainable), the shape of
    one input sample, dtype and seed, the loss, optimizer (name and
    hyper-parameters, step count) and metrics given to ``compile``, the
    epochs done, the training history and the state of the model's random
    generator; and, if the model's ``metadata`` dict is not empty, that dict
    under the key ``"metadata"``.
``layers/<layer>/<array>.npy``
    The arrays of each layer: ``layers/dense_1/weights.npy``,
    ``layers/batch_normalization/moving_mean.npy``, ...
``optimizer/<layer>/<parameter>/<slot>.npy``
    The optimizer's state for each parameter: ``optimizer/dense/weights/m.npy``.

The tutorial's :class:`~plainnet.tutorial.NeuralNetwork` is saved the same way,
with its four parameters as ``weights1.npy``, ``bias1.npy``, ``weights2.npy``
and ``bias2.npy``.

Any zip tool lists the members, ``unzip -p model.pnet model.json`` prints the
document, and ``numpy.load("model.pnet")`` reads the arrays.

Format versions
---------------
Every document names its ``format_version``; this plainnet writes
:data:`FORMAT_VERSION`. The policy:

* :func:`load` reads every version from 1 up to :data:`FORMAT_VERSION`. An
  older document is first brought to the current layout, one small step per
  version (``plainnet.io.loading.upgrade``); the rest of the loader knows only
  the current layout.
* A file of a newer version is refused with a
  :class:`~plainnet.errors.ModelFileError` naming both versions: "it was
  written by format version 3; this plainnet reads versions up to 2; upgrade
  plainnet".
* The version goes up whenever a file written now would not be read
  correctly by an older reader: a new key, member or meaning. Later features
  (new layer families, new model state) extend the format under this policy.

Version 2 (the N-D layer contract) added ``"input_shape"`` (the model's sample
shape, e.g. ``[28, 28, 1]``) and each layer's ``"trainable"`` flag (missing
means true); a version-1 document gets its input shape from its first
``Dense`` layer's ``n_inputs``, as version 1 defined it.

Version 1 is the layout above without those two keys. The optional ``"metadata"`` came before this
policy and stayed version 1: a model with empty metadata is written without
the key, so its file is byte for byte what earlier plainnet versions wrote;
files written before metadata existed load with ``metadata == {}``; a
plainnet from before metadata refuses a file that has the key, naming it as
unexpected.

Why loading is safe
-------------------
A pickle file is a program: unpickling runs whatever the file asks for. A
plainnet file is data. :func:`load`

* never unpickles: each ``.npy`` header is parsed as a literal and must
  declare a float array of exactly the shape and dtype the model needs, and
  its bytes are then read as plain numbers;
* builds layers, losses, optimizers and schedules only from plainnet's own
  fixed tables (``plainnet.layers.LAYER_TYPES`` and the like), never from a
  module or class named in the file, and checks every constructor argument
  (names, JSON types, finite numbers) before calling the constructor;
* trusts no size written in the file: the arrays a model would hold must fit
  in the bytes the file actually has (members are stored uncompressed, so a
  small file cannot expand into a huge one), and every member's size is
  checked before it is read;
* checks everything else against what the rebuilt model expects: members
  missing or unexpected, shapes, dtypes, finite values, the format version;
* checks the user's ``metadata`` strictly: an object with string keys whose
  values are null, true/false, integers (of at most 300 digits), finite
  numbers, strings, lists and objects, at most :data:`MAX_METADATA_DEPTH`
  levels deep and :data:`MAX_METADATA_BYTES` long when written compactly;

and reports any problem as :class:`~plainnet.errors.ModelFileError` (a
``ValueError``) naming the file and what is wrong. No other exception escapes
for a damaged or hostile file. Memory stays bounded: a few times the bytes of
arrays the file really holds, plus what the JSON document (at most 16 MiB,
with at most 100,000 lists and objects) becomes in Python.

``save`` never writes what ``load`` would refuse: it checks the metadata, each
array (float of the model's dtype, the shape ``load`` will plan from the
layers' settings, finite values) and the document's size with the same
functions ``load`` uses, and raises ``TypeError`` or ``ValueError`` naming the
problem (``metadata['classes'][2]``, ``layers/dense/weights.npy contains NaN
or infinite values``) before anything is written.

Why saving never loses work
---------------------------
:func:`save` writes the whole file under a temporary name in the same folder
(``.model.pnet.tmp-1a2b3c4d``), flushes it to the disk (``fsync``), then
renames it over the old file in one step (``os.replace``) and syncs the
folder. A process killed at any moment leaves either the old file or the new
one, never a mixture. A process killed mid-save may leave its temporary file
behind; such files can be deleted. :class:`ModelCheckpoint` saves this way
during training.

The modules
-----------
``layout``: names, version and limits of the file; ``schema``: checking the
JSON document; ``metadata``: the user's metadata; ``generator``: the random
generator's state; ``archive``: the zip and its ``.npy`` members; ``atomic``:
replacing a file atomically; ``saving`` and ``loading``: a ``Sequential`` each
way; ``network``: the tutorial's network each way; ``checkpoint``:
:class:`ModelCheckpoint`.
"""

from __future__ import annotations

from .atomic import replace_atomically
from .checkpoint import ModelCheckpoint
from .generator import BIT_GENERATORS
from .layout import FORMAT_NAME, FORMAT_VERSION
from .loading import load
from .metadata import MAX_METADATA_BYTES, MAX_METADATA_DEPTH
from .saving import save

__all__ = [
    "BIT_GENERATORS",
    "FORMAT_NAME",
    "FORMAT_VERSION",
    "MAX_METADATA_BYTES",
    "MAX_METADATA_DEPTH",
    "ModelCheckpoint",
    "load",
    "replace_atomically",
    "save",
]
