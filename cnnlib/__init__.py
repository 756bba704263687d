"""cnnlib: the small library behind the cnnlib teaching notebooks.

Submodules are imported on demand so that ``import cnnlib`` stays cheap and does not
start TensorFlow: ``cnnlib.arithmetic`` and ``cnnlib.ops`` need only NumPy.
"""

__version__ = "0.1.0"
