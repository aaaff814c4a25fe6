"""Known mistakes in "Optimization methods", derived from reference/optimization.py."""
from __future__ import annotations

from reference import optimization as ref
from reference.mistakes import Mistake, derive

_GD = ref.update_parameters_with_gd
_BATCHES = ref.random_mini_batches
_VELOCITY = ref.initialize_velocity
_MOMENTUM = ref.update_parameters_with_momentum
_ADAM_INIT = ref.initialize_adam
_ADAM = ref.update_parameters_with_adam

_SHUFFLED_Y = ("shuffled_Y = Y[:, permutation].reshape((1, m))", "shuffled_Y = Y.reshape((1, m))", 1)

_LAST_BATCH = """
    if m % mini_batch_size != 0:
        mini_batch_X = shuffled_X[:, num_complete_minibatches * mini_batch_size:m]
        mini_batch_Y = shuffled_Y[:, num_complete_minibatches * mini_batch_size:m]
        mini_batches.append((mini_batch_X, mini_batch_Y))
"""

_VELOCITY_THEN_UPDATE = """\
        v["dW" + str(l + 1)] = beta * v["dW" + str(l + 1)] + (1 - beta) * grads["dW" + str(l + 1)]
        v["db" + str(l + 1)] = beta * v["db" + str(l + 1)] + (1 - beta) * grads["db" + str(l + 1)]
        parameters["W" + str(l + 1)] = parameters["W" + str(l + 1)] - learning_rate * v["dW" + str(l + 1)]
        parameters["b" + str(l + 1)] = parameters["b" + str(l + 1)] - learning_rate * v["db" + str(l + 1)]
"""
_UPDATE_THEN_VELOCITY = "".join(
    _VELOCITY_THEN_UPDATE.splitlines(keepends=True)[i] for i in (2, 3, 0, 1)
)

MISTAKES = (
    Mistake(
        key="gd_plus_sign",
        function="update_parameters_with_gd",
        hint="Gradient descent steps against the gradient: subtract learning_rate * dW, don't add it.",
        source=derive(_GD, ("] - learning_rate * grads[", "] + learning_rate * grads[", 2)),
    ),
    Mistake(
        key="mini_batches_y_not_shuffled",
        function="random_mini_batches",
        hint="Shuffle Y with the same permutation as X, so each label stays with its example.",
        source=derive(_BATCHES, _SHUFFLED_Y),
    ),
    Mistake(
        key="mini_batches_y_shuffled_separately",
        function="random_mini_batches",
        hint="Use the one permutation for both X and Y; a second permutation separates labels from their examples.",
        source=derive(_BATCHES, (
            "Y[:, permutation]", "Y[:, list(np.random.permutation(m))]", 1)),
    ),
    Mistake(
        key="mini_batches_not_shuffled",
        function="random_mini_batches",
        hint="Build the mini-batches from shuffled_X and shuffled_Y, i.e. X[:, permutation] and Y[:, permutation].",
        source=derive(_BATCHES, ("shuffled_X = X[:, permutation]", "shuffled_X = X", 1), _SHUFFLED_Y),
    ),
    Mistake(
        key="mini_batches_last_batch_dropped",
        function="random_mini_batches",
        hint="When m is not a multiple of mini_batch_size, add the last, smaller mini-batch of the remaining examples.",
        source=derive(_BATCHES, (_LAST_BATCH, "", 1)),
    ),
    Mistake(
        key="mini_batches_last_batch_indexed",
        function="random_mini_batches",
        hint="Slice the last mini-batch, shuffled_X[:, num_complete_minibatches * mini_batch_size : m]; "
             "a single index keeps one example and drops a dimension.",
        source=derive(_BATCHES, (
            "_minibatches * mini_batch_size:m]", "_minibatches * mini_batch_size]", 2)),
    ),
    Mistake(
        key="mini_batches_rows_sliced",
        function="random_mini_batches",
        hint="Examples are the columns of X: slice shuffled_X[:, start:end], not shuffled_X[start:end].",
        source=derive(_BATCHES, ("shuffled_X[:, ", "shuffled_X[", 2), ("shuffled_Y[:, ", "shuffled_Y[", 2)),
    ),
    Mistake(
        key="velocity_wrong_shape",
        function="initialize_velocity",
        hint='Give each velocity the full shape of its parameter: np.zeros(parameters["W1"].shape), not just its first dimension.',
        source=derive(_VELOCITY, (".shape)", ".shape[0])", 2)),
    ),
    Mistake(
        key="velocity_keys_without_d",
        function="initialize_velocity",
        hint='Name the velocities after the gradients: v["dW1"] and v["db1"], not v["W1"] and v["b1"].',
        source=derive(_VELOCITY, ('v["dW"', 'v["W"', 1), ('v["db"', 'v["b"', 1)),
    ),
    Mistake(
        key="momentum_without_one_minus_beta",
        function="update_parameters_with_momentum",
        hint="The velocity is beta * v + (1 - beta) * dW; the (1 - beta) factor on the gradient is missing.",
        source=derive(_MOMENTUM, ("+ (1 - beta) * grads[", "+ grads[", 2)),
    ),
    Mistake(
        key="momentum_beta_swapped",
        function="update_parameters_with_momentum",
        hint="beta weighs the old velocity and (1 - beta) the new gradient: v = beta * v + (1 - beta) * dW.",
        source=derive(_MOMENTUM, (
            "= beta * v[", "= (1 - beta) * v[", 2), ("+ (1 - beta) * grads[", "+ beta * grads[", 2)),
    ),
    Mistake(
        key="momentum_steps_with_grads",
        function="update_parameters_with_momentum",
        hint='Step with the velocity: W = W - learning_rate * v["dW1"], not with the raw gradient.',
        source=derive(_MOMENTUM, ("learning_rate * v[", "learning_rate * grads[", 2)),
    ),
    Mistake(
        key="momentum_update_before_velocity",
        function="update_parameters_with_momentum",
        hint="Update the velocity first, then step the parameters with the new velocity.",
        source=derive(_MOMENTUM, (_VELOCITY_THEN_UPDATE, _UPDATE_THEN_VELOCITY, 1)),
    ),
    Mistake(
        key="adam_init_wrong_shape",
        function="initialize_adam",
        hint='Give v and s the full shape of each parameter: np.zeros(parameters["W1"].shape).',
        source=derive(_ADAM_INIT, (".shape)", ".shape[0])", 4)),
    ),
    Mistake(
        key="adam_no_bias_correction",
        function="update_parameters_with_adam",
        hint="Did you divide v by (1 - beta1**t) and s by (1 - beta2**t), and step with v_corrected and s_corrected?",
        source=derive(
            _ADAM,
            ("v[name] / (1 - beta1 ** t)", "v[name]", 1),
            ("s[name] / (1 - beta2 ** t)", "s[name]", 1),
        ),
    ),
    Mistake(
        key="adam_t_plus_one",
        function="update_parameters_with_adam",
        hint="Use t itself in the bias correction, (1 - beta1**t); the caller already counts the steps from 1.",
        source=derive(_ADAM, ("** t)", "** (t + 1))", 2)),
    ),
    Mistake(
        key="adam_epsilon_inside_sqrt",
        function="update_parameters_with_adam",
        hint="Add epsilon after the square root, np.sqrt(s_corrected) + epsilon, as the course's code does.",
        source=derive(_ADAM, ("(l + 1)]) + epsilon)", "(l + 1)] + epsilon))", 2)),
    ),
    Mistake(
        key="adam_gradient_not_squared",
        function="update_parameters_with_adam",
        hint="s averages the squared gradients: s = beta2 * s + (1 - beta2) * dW**2.",
        source=derive(_ADAM, ("grads[name] ** 2", "grads[name]", 1)),
    ),
    Mistake(
        key="adam_s_corrected_with_beta1",
        function="update_parameters_with_adam",
        hint="Correct s with beta2, s / (1 - beta2**t); beta1 belongs to v.",
        source=derive(_ADAM, ("s[name] / (1 - beta2 ** t)", "s[name] / (1 - beta1 ** t)", 1)),
    ),
)
