"""Functions reading ``settings`` through attributes: a module, a module of a package,
a class, a namedtuple and a plain object."""
import numpy as np

import cachemods.settings
from cachemods import settings
from cachemods.settings import Config

HOLDER = settings.Holder(2.0)


def module_float(x):
    return settings.ALPHA * np.sum(x ** 2)


def module_int_power(x):
    return np.sum(x ** settings.POWER)


def module_tuple(x):
    return settings.COEFFS[0] * np.sum(x) + settings.COEFFS[1] * np.sum(x ** 2)


def module_array(x):
    return np.sum(settings.W * x)


def package_module_float(x):
    return cachemods.settings.ALPHA * np.sum(x)


def class_attribute(x):
    return Config.k * np.sum(x)


def namedtuple_field(x):
    return settings.PAIR.scale * np.sum(x ** 2) + settings.PAIR.shift


def instance_attribute(x):
    return HOLDER.scale * np.sum(x)


def property_attribute(x):
    return HOLDER.doubled * np.sum(x)


def bound_method(x):
    return HOLDER.factor() * np.sum(x)


def calls_a_reader(x):
    return module_float(x) + np.sum(x)
