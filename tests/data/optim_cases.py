"""The optimizer and learning-rate cases measured in MindSpore and checked here: one
table, built over either library's ``nn`` (measure_mindspore_optim.py passes
MindSpore's, tests/test_optimizers.py this package's)."""
import numpy as np

W0 = np.array([[0.5, -1.0, 2.0], [1.5, 0.25, -0.75]], np.float32)
G0 = np.array([0.5, 1.5], np.float32)
GRADS = [[np.array([[0.1, -0.2, 0.3], [0.4, -0.5, 0.6]], np.float32) * (k + 1),
          np.array([0.7, -0.8], np.float32) / (k + 1)] for k in range(3)]


def tables(nn):
    """(optimizers of two Parameters, schedules, lists of learning rates), by name."""
    optimizers = {
        "sgd": lambda p: nn.SGD(p, learning_rate=0.1),
        "sgd_mom": lambda p: nn.SGD(p, learning_rate=0.1, momentum=0.9),
        "sgd_mom_damp": lambda p: nn.SGD(p, learning_rate=0.1, momentum=0.9, dampening=0.3),
        "sgd_nesterov": lambda p: nn.SGD(p, learning_rate=0.1, momentum=0.9, nesterov=True),
        "sgd_wd": lambda p: nn.SGD(p, learning_rate=0.1, momentum=0.9, weight_decay=0.01),
        "momentum": lambda p: nn.Momentum(p, learning_rate=0.1, momentum=0.9),
        "momentum_nesterov": lambda p: nn.Momentum(p, learning_rate=0.1, momentum=0.9,
                                                   use_nesterov=True),
        "momentum_wd": lambda p: nn.Momentum(p, learning_rate=0.1, momentum=0.9, weight_decay=0.01),
        "adam": lambda p: nn.Adam(p, learning_rate=0.01),
        "adam_wd": lambda p: nn.Adam(p, learning_rate=0.01, weight_decay=0.1),
        "adam_nesterov": lambda p: nn.Adam(p, learning_rate=0.01, use_nesterov=True),
        "adam_amsgrad": lambda p: nn.Adam(p, learning_rate=0.01, use_amsgrad=True),
        "adamw": lambda p: nn.AdamWeightDecay(p, learning_rate=0.01, weight_decay=0.1),
        "adamw_nowd": lambda p: nn.AdamWeightDecay(p, learning_rate=0.01),
        "sgd_lr_list": lambda p: nn.SGD(p, learning_rate=[0.1, 0.05, 0.01]),
        "adam_explr": lambda p: nn.Adam(p, learning_rate=nn.ExponentialDecayLR(0.01, 0.5, 1)),
        "sgd_group": lambda p: nn.SGD([{"params": [p[0]], "lr": 0.5, "weight_decay": 0.1},
                                       {"params": [p[1]]}], learning_rate=0.1),
        "momentum_group_wd": lambda p: nn.Momentum([{"params": [p[0]], "weight_decay": 0.1},
                                                    {"params": [p[1]], "weight_decay": 0.2}],
                                                   learning_rate=0.1, momentum=0.9),
    }
    schedules = {
        "exp": lambda: nn.ExponentialDecayLR(0.1, 0.9, 2),
        "exp_stair": lambda: nn.ExponentialDecayLR(0.1, 0.9, 2, True),
        "cos": lambda: nn.CosineDecayLR(0.01, 0.1, 4),
        "poly": lambda: nn.PolynomialDecayLR(0.1, 0.01, 4, 0.5),
        "poly_upd": lambda: nn.PolynomialDecayLR(0.1, 0.01, 2, 0.5, True),
        "warmup": lambda: nn.WarmUpLR(0.1, 3),
        "inv": lambda: nn.InverseDecayLR(0.1, 0.5, 2),
        "nat": lambda: nn.NaturalExpDecayLR(0.1, 0.5, 2),
    }
    lists = {
        "piecewise": lambda: nn.piecewise_constant_lr([2, 5, 6], [0.1, 0.05, 0.01]),
        "exp": lambda: nn.exponential_decay_lr(0.1, 0.9, 6, 2, 1),
        "exp_stair": lambda: nn.exponential_decay_lr(0.1, 0.9, 6, 2, 2, True),
        "cos": lambda: nn.cosine_decay_lr(0.01, 0.1, 6, 2, 2),
        "poly": lambda: nn.polynomial_decay_lr(0.1, 0.01, 6, 2, 2, 0.5),
        "warmup": lambda: nn.warmup_lr(0.1, 6, 2, 2),
        "inv": lambda: nn.inverse_decay_lr(0.1, 0.5, 6, 2, 2),
        "nat": lambda: nn.natural_exp_decay_lr(0.1, 0.5, 6, 2, 2),
    }
    return optimizers, schedules, lists
