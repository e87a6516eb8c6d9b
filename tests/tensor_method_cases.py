"""MindSpore's Tensor methods (``mindspore.tensor_methods``) and ``Tensor(...)`` as
functions of one array, for the surface tables of test_surface_rules: each wraps its
input in a Tensor so the same function runs eagerly (for finite differences) and
compiled. Inactive ones are multiplied by the input so there is a gradient to check."""
from __future__ import annotations

from autodiff_compiler import Tensor


def tensor_copy(x):
    return Tensor(x) * 2.0


def m_abs(x):
    return Tensor(x).abs()


def m_exp(x):
    return Tensor(x).exp()


def m_log(x):
    return Tensor(x).log()


def m_log1p(x):
    return Tensor(x).log1p()


def m_expm1(x):
    return Tensor(x).expm1()


def m_sqrt(x):
    return Tensor(x).sqrt()


def m_square(x):
    return Tensor(x).square()


def m_sin(x):
    return Tensor(x).sin()


def m_cos(x):
    return Tensor(x).cos()


def m_tan(x):
    return Tensor(x).tan()


def m_tanh(x):
    return Tensor(x).tanh()


def m_sinh(x):
    return Tensor(x).sinh()


def m_cosh(x):
    return Tensor(x).cosh()


def m_arcsin(x):
    return Tensor(x).arcsin()


def m_arccos(x):
    return Tensor(x).arccos()


def m_arctan(x):
    return Tensor(x).arctan()


def m_sigmoid(x):
    return Tensor(x).sigmoid()


def m_neg(x):
    return Tensor(x).neg()


def m_negative(x):
    return Tensor(x).negative()


def m_reciprocal(x):
    return Tensor(x).reciprocal()


def m_pow(x):
    return Tensor(x).pow(3.0)


def m_add(x):
    return Tensor(x).add(x * x)


def m_sub(x):
    return Tensor(x).sub(x * x)


def m_mul(x):
    return Tensor(x).mul(x + 1.0)


def m_div(x):
    return Tensor(x).div(x * x + 1.0)


def m_maximum(x):
    return Tensor(x).maximum(x * 0.5)


def m_minimum(x):
    return Tensor(x).minimum(x * 0.5)


def m_expand_dims(x):
    return Tensor(x).expand_dims(0) * x


def m_unsqueeze(x):
    return Tensor(x).unsqueeze(0) * x


def m_floor(x):
    return Tensor(x).floor() * x


def m_ceil(x):
    return Tensor(x).ceil() * x


def m_sign(x):
    return Tensor(x).sign() * x


def m_isnan(x):
    return Tensor(x).isnan() * x
