"""What the course notebook gives the students, plus the training driver of the model checks.

Appended to a submission: `model` only when the file lacks it, the
`gradebox_train_*` driver always. Both call the graded initializations by
their global names, so the student's versions run.
"""
import numpy as np

from init_utils import backward_propagation, compute_loss, forward_propagation, update_parameters


def model(X, Y, learning_rate=0.01, num_iterations=15000, print_cost=True, initialization="he"):
    """The course's three-layer model: LINEAR->RELU->LINEAR->RELU->LINEAR->SIGMOID."""
    grads = {}
    costs = []
    m = X.shape[1]
    layers_dims = [X.shape[0], 10, 5, 1]

    if initialization == "zeros":
        parameters = initialize_parameters_zeros(layers_dims)
    elif initialization == "random":
        parameters = initialize_parameters_random(layers_dims)
    elif initialization == "he":
        parameters = initialize_parameters_he(layers_dims)

    for i in range(0, num_iterations):
        a3, cache = forward_propagation(X, parameters)
        cost = compute_loss(a3, Y)
        grads = backward_propagation(X, Y, cache)
        parameters = update_parameters(parameters, grads, learning_rate)

        if print_cost and i % 1000 == 0:
            print("Cost after iteration {}: {}".format(i, cost))
            costs.append(cost)

    if print_cost:
        import matplotlib.pyplot as plt

        plt.plot(costs)
        plt.ylabel('cost')
        plt.xlabel('iterations (per hundreds)')
        plt.title("Learning rate = " + str(learning_rate))
        plt.show()

    return parameters


def gradebox_train_model(X, Y, learning_rate, num_iterations, initialization):
    """model() without printing or plotting; returns the cost every 1000 iterations, as the course prints it."""
    layers_dims = [X.shape[0], 10, 5, 1]
    if initialization == "zeros":
        parameters = initialize_parameters_zeros(layers_dims)
    elif initialization == "random":
        parameters = initialize_parameters_random(layers_dims)
    else:
        parameters = initialize_parameters_he(layers_dims)

    costs = []
    # Weights of size 10 overflow exp() and log(0) in the first iterations; the course's loss skips the nans.
    with np.errstate(over="ignore", divide="ignore", invalid="ignore"):
        for i in range(0, num_iterations):
            a3, cache = forward_propagation(X, parameters)
            cost = compute_loss(a3, Y)
            grads = backward_propagation(X, Y, cache)
            parameters = update_parameters(parameters, grads, learning_rate)
            if i % 1000 == 0:
                costs.append(float(cost))

    return parameters, costs
