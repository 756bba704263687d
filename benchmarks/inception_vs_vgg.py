"""Recorded run: the scaled GoogLeNet against VGG-style networks, trained to convergence (GoogLeNet, section 3).

Szegedy et al. (2015), sections 3 and 6: Inception blocks with 1 x 1 reductions give more accuracy for the same
computation than a plain stack of convolutions. Notebook 07 compares, live, the scaled GoogLeNet of
``cnnlib.models.mini_googlenet`` with a VGG-style network of the same parameters after two epochs, too short to
say which is more accurate; this script trains both, and a VGG-style network of the same *multiply-adds*, until
the learning rate has decayed to zero.

    python benchmarks/inception_vs_vgg.py                  # the CPU recording
    python benchmarks/inception_vs_vgg.py --resume         # carry on where a sitting stopped
    python benchmarks/inception_vs_vgg.py --smoke --out /tmp/smoke.json   # seconds, on random images (tests)
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
    "with crops and flips, the test images found, 30 epochs of Adam with the learning rate decaying along a cosine "
    "to zero, three seeds. The networks are notebook 07's: the scaled GoogLeNet (1/8 of Table 1's widths, 6.3 M "
    "multiply-adds per image), a VGG-style network of the same parameters (twice the multiply-adds) and one of "
    "the same multiply-adds (half the parameters)."
)
NETWORKS = {
    "googlenet": None,
    "vgg_equal_params": (18, 18, "M", 36, 36, "M", 72, 72, "M"),
    "vgg_equal_macs": (13, 13, "M", 26, 26, "M", 51, 51, "M"),
}


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--networks", nargs="+", default=list(NETWORKS), choices=list(NETWORKS))
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--epochs", type=int, default=30)
    parser.add_argument("--batch", type=int, default=64)
    parser.add_argument("--learning-rate", type=float, default=2e-3, help="Adam's rate at the start")
    parser.add_argument("--train-images", type=int, default=50_000)
    sitting_arguments(parser, "inception_vs_vgg")
    parser.add_argument("--smoke", action="store_true", help="2 epochs on random images")
    args = parser.parse_args(argv)
    if args.smoke:
        args.networks, args.seeds, args.epochs, args.batch = ["googlenet", "vgg_equal_macs"], [0], 2, 16
    return args


def load_data(args):
    return cifar10(args, standardize=True)


def main(argv=None) -> Record:
    import keras

    from cnnlib.models.mini_googlenet import mini_googlenet, vgg_style
    from cnnlib.training import accuracy, cosine_adam

    args = parse_args(argv)
    record, limit = open_record(args, NOTES)
    x, y, tx, ty = data = load_data(args)
    record.data["images"] = {"train": len(data[0]), "test": len(data[2])}
    steps = len(x) // args.batch

    def build(network, seed):
        keras.utils.set_random_seed(seed)
        model = mini_googlenet() if network == "googlenet" else vgg_style(NETWORKS[network], name=network)
        # jit_compile=False: on a CPU, XLA compiles a network of many small branches slowly (cnnlib.training)
        model.compile(optimizer=cosine_adam(args.learning_rate, steps * args.epochs), jit_compile=False,
                      loss="sparse_categorical_crossentropy", metrics=["accuracy"])  # fmt: skip
        return model

    def epoch(model, k, seed):
        history = model.fit(augmented(x, y, args.batch, seed, k), steps_per_epoch=steps, epochs=k + 1,
                            initial_epoch=k, shuffle=False, verbose=0).history  # fmt: skip
        return {"train_loss": history["loss"][-1], "train_error": 1 - history["accuracy"][-1],
                "test_error": 1 - accuracy(model, tx, ty)}  # fmt: skip

    for seed in args.seeds:
        for network in args.networks:
            limit -= train_run(record, f"{network}/seed{seed}", lambda n=network, s=seed: build(n, s),
                               lambda model, k, s=seed: epoch(model, k, s), args.epochs, limit)  # fmt: skip
    record.save()
    print(f"wrote {record.path}")
    return record


if __name__ == "__main__":
    main()
