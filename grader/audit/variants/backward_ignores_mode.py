
def dropout_backward(dout, cache):
    dropout_param, mask = cache
    return dout * mask  # in test mode the mask is None
