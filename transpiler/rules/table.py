"""The table of supported functions, generated from the rule registry."""
import operator

from .registry import all_rules

_OPERATORS = {operator.add: "+", operator.sub: "-", operator.mul: "*", operator.truediv: "/",
              operator.pow: "**", operator.mod: "%", operator.neg: "-x", operator.pos: "+x",
              operator.matmul: "@", operator.floordiv: "//", operator.lt: "<",
              operator.le: "<=", operator.gt: ">", operator.ge: ">=", operator.eq: "==",
              operator.ne: "!=", operator.not_: "not", operator.invert: "~",
              operator.and_: "&", operator.or_: "|", operator.xor: "^",
              operator.is_: "is", operator.is_not: "is not", operator.contains: "in",
              operator.lshift: "<<", operator.rshift: ">>", operator.iadd: "+=",
              operator.isub: "-=", operator.imul: "*=", operator.itruediv: "/=",
              operator.ipow: "**=", operator.imod: "%=", operator.imatmul: "@=",
              operator.ifloordiv: "//=", operator.iand: "&=", operator.ior: "|=",
              operator.ixor: "^=", operator.ilshift: "<<=", operator.irshift: ">>="}
_FAMILIES = [("elementwise", "Elementwise"), ("broadcasting", "Broadcasting (unbroadcast adjoints)"),
             ("reduction", "Reductions (axis, keepdims)"), ("shape", "Shape"),
             ("custom", "Linear algebra, assembly and others"),
             ("nondiff", "No derivative (integer or boolean results, zero derivative)")]


def spelling(fn):
    if fn in _OPERATORS:
        return "`%s`" % _OPERATORS[fn]
    module = getattr(fn, "__module__", None) or ""
    name = getattr(fn, "__name__", repr(fn))
    if module.startswith("numpy") or type(fn).__name__ == "ufunc":
        if module.startswith("numpy.linalg"):
            return "np.linalg." + name
        if module.startswith("numpy.random"):
            return "np.random." + name
        return "np." + name
    if module == "math":
        return "math." + name
    if module in ("builtins", ""):
        return name
    if module.startswith("runtime"):
        return {"at_set": "x.at[i].set", "at_add": "x.at[i].add", "at_multiply": "x.at[i].multiply",
                "at_divide": "x.at[i].divide", "at_power": "x.at[i].power",
                "at_min": "x.at[i].min", "at_max": "x.at[i].max", "astype": "x.astype",
                "item": "x.item", "flatten": "x.flatten", "dict_keys": "dict.keys",
                "dict_values": "dict.values",
                "field": "p.name (namedtuple field)", "as_sequence": "for x in xs",
                "concat": "list + list", "repeat_sequence": "list * n"}.get(name, "rt." + name)
    return "%s.%s" % (module, name)


def render(heading="##"):
    """The table as Markdown; ``heading`` is the marker of its section titles."""
    lines = ["# Functions transpiler differentiates", ""]
    rules = [r for r in all_rules() if not r.internal]
    for family, title in _FAMILIES:
        names = sorted({spelling(p) for r in rules if r.family == family for p in r.primals
                        if not spelling(p).startswith("rt.")})  # only generated code calls rt
        if not names:
            continue
        lines.append("%s %s" % (heading, title))
        lines.append("")
        lines.append(", ".join(names))
        lines.append("")
    return "\n".join(lines)
