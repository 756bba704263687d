"""Mutation check: does the notebook that teaches a piece fail when that piece is broken?

    python -m tools.mutations                  # every mutation; the table goes into docs/measurements.md
    python -m tools.mutations --list           # what each mutation breaks, and which notebook should catch it
    python -m tools.mutations lrn_identity     # some of them

Each mutation is one deliberate bug (a dense block that does not concatenate, LRN that divides by 1, auxiliary
losses weighted 0, ...) applied to a scratch copy of ``cnnlib``; the notebook that teaches that piece is then run
against the copy (``PYTHONPATH``), in a fresh kernel with the test settings. The mutation is *caught* when a cell
of the notebook fails. A notebook whose checks pass with its piece broken does not check what it teaches.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class Mutation:
    name: str
    what: str
    file: str  # relative to cnnlib/, or "notebook": a cell of the notebook itself
    old: str
    new: str
    notebook: str


MUTATIONS = [
    Mutation(
        "conv_flipped_kernel",
        "ops.conv2d flips the kernel (a true convolution, not Keras' correlation)",
        "ops.py",
        "out += window @ kernel[i, j]",
        "out += window @ kernel[kh - 1 - i, kw - 1 - j]",
        "01_convolution",
    ),
    Mutation(
        "max_pool_averages",
        "ops.max_pool2d takes the mean of each window",
        "ops.py",
        "return _pool(x, pool_size, strides, padding, np.nanmax)",
        "return _pool(x, pool_size, strides, padding, np.nanmean)",
        "02_pooling",
    ),
    Mutation(
        "lenet_c3_six_maps",
        "LeNet-5's C3 has 6 maps instead of 16",
        "models/lenet.py",
        'keras.layers.Conv2D(16, 5, activation=activation, name="c3_conv")',
        'keras.layers.Conv2D(6, 5, activation=activation, name="c3_conv")',
        "03_lenet",
    ),
    Mutation(
        "lrn_identity",
        "local response normalization divides by 1 (does nothing)",
        "layers.py",
        "y = x * ops.power(self.k + self.alpha * window_sum, -self.beta)",
        "y = x",
        "04_alexnet",
    ),
    Mutation(
        "dropout_off",
        "the scaled AlexNet's dropout does nothing (rate 0)",
        "notebook",
        'x = layers.Dropout(dropout, name="drop6")(x)\n    x = layers.Dense(128, activation="relu", name="fc7")(x)\n'
        '    if dropout:\n        x = layers.Dropout(dropout, name="drop7")(x)',
        'x = layers.Dropout(0.0, name="drop6")(x)\n    x = layers.Dense(128, activation="relu", name="fc7")(x)\n'
        '    if dropout:\n        x = layers.Dropout(0.0, name="drop7")(x)',
        "04b_alexnet_improvements",
    ),
    Mutation(
        "guided_relu_plain",
        "guided backpropagation lets every gradient through where the input is positive",
        "experiments/saliency.py",
        '"guided": lambda x, upstream: ops.logical_and(ops.greater(x, 0), ops.greater(upstream, 0)),',
        '"guided": lambda x, upstream: ops.greater(x, 0),',
        "05_zfnet",
    ),
    Mutation(
        "vgg_one_layer_per_stage",
        "VGG builds each stage's 3x3 stack as one layer",
        "models/vgg.py",
        "        else:\n            filters, kernel = item if isinstance(item, tuple) else (item, 3)",
        "        elif conv > 1:\n            pass\n        else:\n"
        "            filters, kernel = item if isinstance(item, tuple) else (item, 3)",
        "06_vgg",
    ),
    Mutation(
        "he_gain_glorot",
        "He's initialization forgets the ReLU's factor 2",
        "arithmetic/initialization.py",
        "return float(std * math.sqrt(kh * kw * in_channels / 2))",
        "return float(std * math.sqrt(kh * kw * in_channels))",
        "06b_vgg_training",
    ),
    Mutation(
        "inception_three_branches",
        "the Inception module drops its 5x5 branch",
        "models/googlenet.py",
        "([branch1, branch2, branch3, branch4])",
        "([branch1, branch2, branch4])",
        "07_googlenet",
    ),
    Mutation(
        "batch_norm_frozen",
        "the batch-normalized network's BN layers are frozen (inference mode: running statistics, never the batch's)",
        "experiments/batchnorm.py",
        'x = layers.BatchNormalization(name=f"block{b}_bn{c}")(x)',
        'x = layers.BatchNormalization(name=f"block{b}_bn{c}", trainable=False)(x)',
        "07_googlenet",
    ),
    Mutation(
        "aux_weight_zero",
        "GoogLeNet's auxiliary losses are weighted 0",
        "training.py",
        "loss_weights=[1.0] + [float(aux_weight)] * (outputs - 1)",
        "loss_weights=[1.0] + [0.0] * (outputs - 1)",
        "07_googlenet",
    ),
    Mutation(
        "residual_without_shortcut",
        "the basic block drops its shortcut (no addition)",
        "models/resnet.py",
        '    if shortcut is not None:\n        x = keras.layers.Add(name=f"{name}_add")([residual, x])',
        '    if shortcut is not None:\n        x = keras.layers.Add(name=f"{name}_add")([keras.ops.zeros_like(x), x])',
        "08_resnet",
    ),
    Mutation(
        "preact_relu_after_add",
        "the pre-activation unit (ResNet v2) keeps a ReLU after its addition, as the 2015 unit has",
        "models/resnet_v2.py",
        'return layers.Add(name=f"{name}_out")([residual, x])',
        'return layers.ReLU(name=f"{name}_out")(layers.Add(name=f"{name}_add")([residual, x]))',
        "08_resnet",
    ),
    Mutation(
        "vgg_fc1_transposed",
        "dense evaluation reshapes fc1's weights in the wrong order (channels first)",
        "models/vgg.py",
        "weights = [kernel.reshape(layer.kernel.shape), bias]",
        "weights = [kernel.reshape(layer.kernel.shape[::-1][1:] + layer.kernel.shape[-1:]).transpose(2, 1, 0, 3)"
        ".reshape(layer.kernel.shape) if layer.name == 'fc1' else kernel.reshape(layer.kernel.shape), bias]",
        "06_vgg",
    ),
    Mutation(
        "dense_block_no_concat",
        "a dense layer passes on only its new maps (no concatenation)",
        "models/densenet.py",
        'keras.layers.Concatenate(axis=3, name=f"{name}_concat")([x, x1])',
        'keras.layers.Concatenate(axis=3, name=f"{name}_concat")([x1])',
        "09_densenet",
    ),
    Mutation(
        "pareto_keeps_everything",
        "the Pareto front keeps a network that is not better than a cheaper one",
        "experiments/comparison.py",
        "if value < best:",
        "if True:",
        "10_comparison",
    ),
]


def _replace_once(mutation: Mutation, text: str, where: str) -> str:
    if text.count(mutation.old) != 1:
        raise ValueError(f"{mutation.name}: {mutation.old!r} occurs {text.count(mutation.old)} times in "
                         f"{where}, expected once: update the mutation.")  # fmt: skip
    return text.replace(mutation.old, mutation.new)


def scratch_copy(mutation: Mutation, folder: Path) -> Path:
    """``folder/cnnlib``: a copy of the package with the mutation applied (exactly one occurrence)."""
    target = folder / "cnnlib"
    shutil.copytree(ROOT / "cnnlib", target, ignore=shutil.ignore_patterns("__pycache__"))
    if mutation.file != "notebook":
        path = target / mutation.file
        path.write_text(_replace_once(mutation, path.read_text(encoding="utf-8"), f"cnnlib/{mutation.file}"))
    return folder


def mutated_notebook(mutation: Mutation, path: Path):
    """The notebook, with the mutation applied to its cells where ``mutation.file`` is ``"notebook"``."""
    import nbformat

    nb = nbformat.read(path, as_version=4)
    if mutation.file == "notebook":
        cells = [c for c in nb.cells if mutation.old in c.source]
        if len(cells) != 1:
            raise ValueError(f"{mutation.name}: {mutation.old!r} is in {len(cells)} cells of {path.name}, not one.")
        cells[0].source = _replace_once(mutation, cells[0].source, path.name)
    return nb


def run(mutation: Mutation, seed: int = 0) -> dict:
    from tools.sweep import check_notebook

    with tempfile.TemporaryDirectory(prefix=f"mutation-{mutation.name}-") as tmp:
        folder = scratch_copy(mutation, Path(tmp))
        previous = os.environ.get("PYTHONPATH")
        os.environ["PYTHONPATH"] = os.pathsep.join([str(folder), *([previous] if previous else [])])
        try:
            path = ROOT / "notebooks" / f"{mutation.notebook}.ipynb"
            result = check_notebook(path, seed, "small", "tensorflow", nb=mutated_notebook(mutation, path))
        finally:
            if previous is None:
                os.environ.pop("PYTHONPATH")
            else:
                os.environ["PYTHONPATH"] = previous
    return {"mutation": mutation.name, "what": mutation.what, "notebook": mutation.notebook,
            "caught": not result.passed, "cell": result.failed_cell, "error": result.error[:200],
            "seconds": round(result.seconds)}  # fmt: skip


def table(rows: list[dict]) -> list[str]:
    lines = ["| mutation | what it breaks | notebook | caught | by |", "|---|---|---|---|---|"]
    for r in rows:
        by = f"cell {r['cell']}: `{r['error'][:90]}`" if r["caught"] else "every check passed"
        lines.append(
            f"| `{r['mutation']}` | {r['what']} | {r['notebook']} | {'yes' if r['caught'] else '**no**'} | {by} |"
        )
    return lines


def main(argv=None) -> int:
    from tools import bench

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("names", nargs="*", help="mutations to run (default: all)")
    parser.add_argument("--list", action="store_true", help="list the mutations and exit")
    args = parser.parse_args(argv)
    chosen = [m for m in MUTATIONS if not args.names or m.name in args.names]
    if args.list or not chosen:
        for m in MUTATIONS:
            print(f"{m.name:28} {m.notebook:26} {m.what}")
        return 0 if args.list else 2
    data = bench.load()
    section = next((s for s in data.setdefault("sections", []) if s["title"].startswith("Mutations")), None)
    rows = {r["mutation"]: r for r in (section or {}).get("rows", [])}
    ordered = []
    for mutation in chosen:
        row = run(mutation)
        rows[mutation.name] = row
        print(f"{'caught' if row['caught'] else 'MISSED'}  {mutation.name}  ({mutation.notebook}, {row['seconds']} s)")
        ordered = _record(rows)  # after every mutation: a long run keeps what it did
    missed = [r["mutation"] for r in ordered if not r["caught"]]
    print(
        f"{len(ordered) - len(missed)} of {len(ordered)} caught" + (f"; missed: {', '.join(missed)}" if missed else "")
    )
    return 1 if missed else 0


def _record(rows: dict) -> list[dict]:
    """The table so far, into docs/measurements.json and the page generated from it."""
    from tools import bench

    data = bench.load()
    ordered = [rows[m.name] for m in MUTATIONS if m.name in rows]
    date = datetime.now(timezone.utc).strftime("%Y-%m-%d")
    new = {"title": "Mutations: does each notebook catch a broken piece?", "rows": ordered,
           "lines": [f"`python3 tasks.py check --mutations`, last run {date}: each deliberate bug applied to a "
                     "scratch copy of cnnlib, the notebook that teaches that piece run against it (seed 0, small "
                     "scale). Caught: a cell failed.", "", *table(ordered)]}  # fmt: skip
    data["sections"] = [s for s in data.get("sections", []) if not s["title"].startswith("Mutations")] + [new]
    bench.save(data)
    return ordered


if __name__ == "__main__":
    sys.exit(main())
