"""What the course's 2021 notebook gives the students, plus the training driver of the model checks.

Appended to a submission: `model` only when the file lacks it, the
`gradebox_train_model` driver always. Both call the graded functions
(`random_mini_batches`, the initializations, the three update rules and the
learning-rate decay) by their global names, so the student's versions run.
"""
import numpy as np

import opt_utils_v1a
from opt_utils_v1a import backward_propagation, compute_cost, forward_propagation, initialize_parameters


def model(X, Y, layers_dims, optimizer, learning_rate=0.0007, mini_batch_size=64, beta=0.9,
          beta1=0.9, beta2=0.999, epsilon=1e-8, num_epochs=5000, print_cost=True, decay=None, decay_rate=1):
    """The 2021 course's 3-layer model: mini-batch gd, momentum or Adam, with an optional learning-rate decay.

    `decay` is a function (update_lr or schedule_lr_decay) called after every
    epoch as decay(learning_rate0, epoch, decay_rate). The cost plot is left out.
    """
    costs = []
    t = 0
    seed = 10
    m = X.shape[1]
    learning_rate0 = learning_rate

    parameters = initialize_parameters(layers_dims)

    if optimizer == "gd":
        pass
    elif optimizer == "momentum":
        v = initialize_velocity(parameters)
    elif optimizer == "adam":
        v, s = initialize_adam(parameters)

    for i in range(num_epochs):
        # A new seed every epoch reshuffles the data set differently.
        seed = seed + 1
        minibatches = random_mini_batches(X, Y, mini_batch_size, seed)
        cost_total = 0

        for minibatch in minibatches:
            (minibatch_X, minibatch_Y) = minibatch
            a3, caches = forward_propagation(minibatch_X, parameters)
            cost_total += compute_cost(a3, minibatch_Y)
            grads = backward_propagation(minibatch_X, minibatch_Y, caches)

            if optimizer == "gd":
                parameters = update_parameters_with_gd(parameters, grads, learning_rate)
            elif optimizer == "momentum":
                parameters, v = update_parameters_with_momentum(parameters, grads, v, beta, learning_rate)
            elif optimizer == "adam":
                t = t + 1
                parameters, v, s, _, _ = update_parameters_with_adam(parameters, grads, v, s,
                                                                     t, learning_rate, beta1, beta2, epsilon)
        cost_avg = cost_total / m
        if decay:
            learning_rate = decay(learning_rate0, i, decay_rate)
        if print_cost and i % 1000 == 0:
            print("Cost after epoch %i: %f" % (i, cost_avg))
            if decay:
                print("learning rate after epoch %i: %f" % (i, learning_rate))
        if print_cost and i % 100 == 0:
            costs.append(cost_avg)

    return parameters


def gradebox_train_model(X, Y, layers_dims, optimizer, num_epochs, learning_rate=0.0007, decay=None, decay_rate=1,
                         mini_batch_size=64, beta=0.9, beta1=0.9, beta2=0.999, epsilon=1e-8):
    """model() without printing; returns the parameters and the epoch's average cost every 100 epochs.

    `decay` names the decay function, "update_lr" or "schedule_lr_decay" (a
    case's arguments hold no functions), or is None. The network's own steps
    come from opt_utils_v1a by module, so a stray redefinition in the
    student's notebook cannot change what is trained.
    """
    costs = []
    t = 0
    seed = 10
    m = X.shape[1]
    learning_rate0 = learning_rate
    if decay == "update_lr":
        decay_function = update_lr
    elif decay == "schedule_lr_decay":
        decay_function = schedule_lr_decay
    elif decay is not None:
        raise ValueError(f"unknown decay {decay!r}")

    parameters = opt_utils_v1a.initialize_parameters(layers_dims)
    if optimizer == "momentum":
        v = initialize_velocity(parameters)
    elif optimizer == "adam":
        v, s = initialize_adam(parameters)
    elif optimizer != "gd":
        raise ValueError(f"unknown optimizer {optimizer!r}")

    # A diverging update overflows exp() and log(0); the cost history shows it without the warnings.
    with np.errstate(over="ignore", divide="ignore", invalid="ignore"):
        for i in range(num_epochs):
            seed = seed + 1
            cost_total = 0.0
            for minibatch_X, minibatch_Y in random_mini_batches(X, Y, mini_batch_size, seed):
                a3, caches = opt_utils_v1a.forward_propagation(minibatch_X, parameters)
                cost_total += opt_utils_v1a.compute_cost(a3, minibatch_Y)
                grads = opt_utils_v1a.backward_propagation(minibatch_X, minibatch_Y, caches)

                if optimizer == "gd":
                    parameters = update_parameters_with_gd(parameters, grads, learning_rate)
                elif optimizer == "momentum":
                    parameters, v = update_parameters_with_momentum(parameters, grads, v, beta, learning_rate)
                else:
                    t = t + 1
                    parameters, v, s, _, _ = update_parameters_with_adam(parameters, grads, v, s,
                                                                         t, learning_rate, beta1, beta2, epsilon)
            if decay is not None:
                learning_rate = decay_function(learning_rate0, i, decay_rate)
            if i % 100 == 0:
                costs.append(float(cost_total / m))

    return parameters, costs
