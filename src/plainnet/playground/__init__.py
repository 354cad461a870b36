"""The playground: a local web page where real plainnet networks learn while you watch.

``plainnet playground`` starts it (see :mod:`plainnet.cli.playground`); from
Python::

    from plainnet.playground import PlaygroundServer
    server = PlaygroundServer(port=0)     # 127.0.0.1 only; 0: a free port
    print(server.url)
    server.serve_forever()                # until server.shutdown() or Ctrl-C

The page (HTML, CSS and JavaScript in ``static/``, no build step, nothing
from the internet) is a window onto a :class:`~plainnet.Sequential` training
in NumPy in a thread of this server. One module per concern:

* ``datasets``: the six problems of the page, in the square [-1, 1]^2;
* ``settings``: what a request may set, checked field by field, with bounds;
* ``recipe``: the model for some settings, and the Python code that builds it;
* ``views``: what the page draws of a model (output and neuron pictures, weights);
* ``session``: one page's model and its training thread; the store of sessions;
* ``server``: the HTTP server, its routes and its security checks.
"""

from __future__ import annotations

from .datasets import DATASETS, make_dataset
from .server import PlaygroundServer
from .settings import BadRequest, Settings, parse_settings

__all__ = ["DATASETS", "BadRequest", "PlaygroundServer", "Settings", "make_dataset",
           "parse_settings"]
