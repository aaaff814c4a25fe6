"""What the course notebook gives the students, and the training drivers of the model checks.

Appended to a submission inside the sandbox, so every name a function needs
from reg_utils is imported inside it: nothing here rebinds the student's own
globals. The graded functions are called by their global names, so the
student's versions drive the training. No printing of costs, no plotting.
"""
import numpy as np


def model(X, Y, learning_rate=0.3, num_iterations=30000, print_cost=True, lambd=0, keep_prob=1):
    """The notebook's 3-layer model; the cost plot of the course is left out (no matplotlib here)."""
    from reg_utils import backward_propagation, compute_cost, forward_propagation, initialize_parameters
    from reg_utils import update_parameters

    grads = {}
    costs = []
    m = X.shape[1]
    layers_dims = [X.shape[0], 20, 3, 1]

    parameters = initialize_parameters(layers_dims)

    for i in range(0, num_iterations):

        if keep_prob == 1:
            a3, cache = forward_propagation(X, parameters)
        elif keep_prob < 1:
            a3, cache = forward_propagation_with_dropout(X, parameters, keep_prob)

        if lambd == 0:
            cost = compute_cost(a3, Y)
        else:
            cost = compute_cost_with_regularization(a3, Y, parameters, lambd)

        assert (lambd == 0 or keep_prob == 1)
        if lambd == 0 and keep_prob == 1:
            grads = backward_propagation(X, Y, cache)
        elif lambd != 0:
            grads = backward_propagation_with_regularization(X, Y, cache, lambd)
        elif keep_prob < 1:
            grads = backward_propagation_with_dropout(X, Y, cache, keep_prob)

        parameters = update_parameters(parameters, grads, learning_rate)

        if print_cost and i % 10000 == 0:
            print("Cost after iteration {}: {}".format(i, cost))
        if print_cost and i % 1000 == 0:
            costs.append(cost)

    return parameters


def gradebox_train_l2(X, Y, learning_rate, num_iterations, lambd):
    """model(X, Y, lambd=lambd) without printing: the cost every 1000 iterations, as the course plots it."""
    import numpy as np
    from reg_utils import forward_propagation, initialize_parameters, update_parameters

    costs = []
    parameters = initialize_parameters([X.shape[0], 20, 3, 1])
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        for i in range(num_iterations):
            a3, cache = forward_propagation(X, parameters)
            cost = compute_cost_with_regularization(a3, Y, parameters, lambd)
            grads = backward_propagation_with_regularization(X, Y, cache, lambd)
            parameters = update_parameters(parameters, grads, learning_rate)
            if i % 1000 == 0:
                costs.append(float(np.squeeze(cost)))
    return parameters, costs


def gradebox_train_dropout(X, Y, learning_rate, num_iterations, keep_prob):
    """model(X, Y, keep_prob=keep_prob) without printing; the cost is the plain cross-entropy, as in model()."""
    import numpy as np
    from reg_utils import compute_cost, initialize_parameters, update_parameters

    costs = []
    parameters = initialize_parameters([X.shape[0], 20, 3, 1])
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        for i in range(num_iterations):
            a3, cache = forward_propagation_with_dropout(X, parameters, keep_prob)
            cost = compute_cost(a3, Y)
            grads = backward_propagation_with_dropout(X, Y, cache, keep_prob)
            parameters = update_parameters(parameters, grads, learning_rate)
            if i % 1000 == 0:
                costs.append(float(np.squeeze(cost)))
    return parameters, costs
