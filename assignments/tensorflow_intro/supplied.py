"""The model check's training driver for the TensorFlow Tutorial, appended after a submission.

`gradebox_train_model` is the notebook's `model` (LINEAR -> RELU -> LINEAR -> RELU -> LINEAR -> SOFTMAX,
Adam, mini-batches from tf_utils.random_mini_batches) without its printing, plotting and accuracy lines: it
builds the graph with the graded `create_placeholders`, `initialize_parameters`, `forward_propagation` and
`compute_cost` by their global names, so the student's versions are trained. Its imports are inside it, so
nothing here rebinds a name the student's code uses (`tf` may be `tensorflow` or `tensorflow.compat.v1`).
"""


def gradebox_train_model(learning_rate, num_epochs, minibatch_size):
    """Trains on the job's digits_train.h5 as the notebook's model() does; returns (parameters, costs): the
    trained W1, b1, ..., b3 as NumPy arrays and the cost of every epoch (the mean of its mini-batches' costs).

    The notebook's data preparation: images flattened to (12288, m) and divided by 255, labels one-hot (6, m).
    One thread per session: the sandbox gives a case one core.
    """
    import tensorflow.compat.v1 as tf

    import tf_utils

    X_train_orig, Y_train_orig, _, _, _ = tf_utils.load_dataset()
    X_train = X_train_orig.reshape(X_train_orig.shape[0], -1).T / 255.
    Y_train = tf_utils.convert_to_one_hot(Y_train_orig, 6)

    tf.reset_default_graph()  # as the notebook's model(): a graph of its own, whatever ran before
    tf.set_random_seed(1)
    seed = 3
    (n_x, m) = X_train.shape
    n_y = Y_train.shape[0]
    costs = []

    X, Y = create_placeholders(n_x, n_y)
    parameters = initialize_parameters()
    Z3 = forward_propagation(X, parameters)
    cost = compute_cost(Z3, Y)
    optimizer = tf.train.AdamOptimizer(learning_rate=learning_rate).minimize(cost)
    init = tf.global_variables_initializer()

    config = tf.ConfigProto(intra_op_parallelism_threads=1, inter_op_parallelism_threads=1)
    with tf.Session(config=config) as sess:
        sess.run(init)
        for epoch in range(num_epochs):
            epoch_cost = 0.
            num_minibatches = int(m / minibatch_size)
            seed = seed + 1
            for minibatch_X, minibatch_Y in tf_utils.random_mini_batches(X_train, Y_train, minibatch_size, seed):
                _, minibatch_cost = sess.run([optimizer, cost], feed_dict={X: minibatch_X, Y: minibatch_Y})
                epoch_cost += minibatch_cost / num_minibatches
            costs.append(float(epoch_cost))
        parameters = sess.run(parameters)
    return parameters, costs
