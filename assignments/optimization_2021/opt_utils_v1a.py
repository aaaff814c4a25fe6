"""The course's opt_utils_v1a helpers (the 2021 notebook imports them under this name), runnable in the sandbox.

They are the earlier opt_utils (shared job file ../optimization/opt_utils.py:
He initialization with seed 3, the three-layer forward and backward passes,
the moons read from moons_train.h5) except compute_cost, which returns the
cost summed over the mini-batch: the 2021 model() adds it up over an epoch
and divides by the number of training examples.
"""
import numpy as np

from opt_utils import (  # noqa: F401 (the course's helpers define them)
    DATASET_PATH, backward_propagation, forward_propagation, initialize_parameters, load_dataset,
    load_params_and_grads, plot_decision_boundary, predict, predict_dec, relu, sigmoid,
)


def compute_cost(a3, Y):
    """Cross-entropy summed (not averaged) over the examples of a3 and Y, both of shape (1, m)."""
    logprobs = np.multiply(-np.log(a3), Y) + np.multiply(-np.log(1 - a3), 1 - Y)
    cost_total = np.sum(logprobs)
    return cost_total
