"""Recorded run: VGG's configurations at equal training, shallow against deep (VGG, Table 3).

Simonyan and Zisserman (2015), section 4.1 and Table 3: with the same training, the error falls as the network
gets deeper, from configuration A (11 weight layers, top-1 29.6 % at one test scale) through B (13, 28.7 %) to D
(16, 27.0 %), and saturates at E (19, 27.3 %). Notebook 06b plots this file beside the paper's numbers.

    python benchmarks/vgg_depth.py                     # the CPU recording
    python benchmarks/vgg_depth.py --resume            # carry on where a sitting stopped
    python benchmarks/vgg_depth.py --smoke --out /tmp/smoke.json   # seconds, on random images (tests)

Each configuration of Table 1 at a fraction of its width (``cnnlib.models.vgg.narrow_config``), with the dense
layers narrowed the same way, the paper's dropout 0.5, He's initialization (so that no network needs A's weights
to start, section 3.1's later finding), crops and flips, Adam with the learning rate decaying along a cosine to zero.
"""

from __future__ import annotations

import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from recording import Record, augmented, cifar10, open_record, sitting_arguments, train_run  # noqa: E402

NOTES = (
    "CPU scale: the CIFAR-10 training images found (10,000 in the offline subset, 50,000 with the official files) "
    "with crops and flips, the test images found, Adam with the learning rate decaying along a cosine to zero, "
    "three seeds. Every configuration at 1/8 of the paper's widths (8 to 64 filters, dense layers of 512 units), "
    "the width of notebook 06b's VGG-16, so that all of them train on two CPU cores; the paper's were trained "
    "on ImageNet for 74 epochs."
)
CONFIGS = ("A", "B", "D", "E")


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--networks", nargs="+", default=["A", "B", "D", "E"], choices=CONFIGS)
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--epochs", type=int, default=30)
    parser.add_argument("--divisor", type=int, default=8, help="every layer's width divided by this")
    parser.add_argument("--batch", type=int, default=64)
    parser.add_argument("--learning-rate", type=float, default=1e-3, help="Adam's rate at the start")
    parser.add_argument("--train-images", type=int, default=50_000)
    sitting_arguments(parser, "vgg_depth")
    parser.add_argument("--smoke", action="store_true", help="2 epochs on random images")
    args = parser.parse_args(argv)
    if args.smoke:
        args.networks, args.seeds, args.epochs, args.batch = ["A", "D"], [0], 2, 16
    return args


def load_data(args):
    return cifar10(args, standardize=False)  # zero-mean RGB, the paper's only preprocessing


def main(argv=None) -> Record:
    import keras

    from cnnlib.models.vgg import narrow_config, vgg
    from cnnlib.training import accuracy, cosine_adam

    args = parse_args(argv)
    record, limit = open_record(args, NOTES)
    x, y, tx, ty = data = load_data(args)
    record.data["images"] = {"train": len(data[0]), "test": len(data[2])}
    steps = len(x) // args.batch

    def build(config, seed):
        keras.utils.set_random_seed(seed)
        model = vgg(narrow_config(config, args.divisor), input_shape=x.shape[1:], classes=10,
                    dense_units=4096 // args.divisor, kernel_initializer="he_normal", name=f"vgg_{config}")  # fmt: skip
        model.compile(optimizer=cosine_adam(args.learning_rate, steps * args.epochs),
                      loss="sparse_categorical_crossentropy", metrics=["accuracy"])  # fmt: skip
        return model

    def epoch(model, k, seed):
        history = model.fit(augmented(x, y, args.batch, seed, k), steps_per_epoch=steps, epochs=k + 1,
                            initial_epoch=k, shuffle=False, verbose=0).history  # fmt: skip
        return {"train_loss": history["loss"][-1], "train_error": 1 - history["accuracy"][-1],
                "test_error": 1 - accuracy(model, tx, ty)}  # fmt: skip

    for seed in args.seeds:
        for config in args.networks:
            limit -= train_run(record, f"{config}/seed{seed}", lambda c=config, s=seed: build(c, s),
                               lambda model, k, s=seed: epoch(model, k, s), args.epochs, limit)  # fmt: skip
    record.save()
    print(f"wrote {record.path}")
    return record


if __name__ == "__main__":
    main()
