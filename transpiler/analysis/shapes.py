"""Static shapes from argument shapes: what lets reverse mode write hand-written code.

Given the shapes and dtypes of the arguments of one call (its *signature*), this
abstract interpreter finds every variable's shape that does not depend on data.
Reverse mode asks it simple questions: does this operand have the output's shape (then
no unbroadcasting)?  Is the output a scalar (then the seed is the constant 1.0 and the
forward value need not even be computed)?  Is this an array indexed by an integer (then
``dx[i] += g``)?  Anything data-dependent (boolean masks, ``np.nonzero``, sizes read from
values) is *unknown*, and unknown always means the generic code, so the answers are sound
for every call with the same signature.

Abstract values:
    ("arr", shape | None, dtype | None)   arrays and float scalars (shape ())
    ("int", value | None)                 Python ints (value known if derived from shapes)
    ("tuple" | "list", [values]), ("dict", {key: value}), ("const", value)
    None                                  unknown
"""
import numbers

import gast
import numpy as np

from ..analysis import ops as O
from ..ir.walk import iter_statements

BOTTOM = ("bottom",)
_PROXY_LIMIT = 4096
DATA_DEPENDENT = {id(f) for f in (np.nonzero, np.flatnonzero, np.argwhere, np.unique,
                                  np.extract, np.compress, np.trim_zeros)}


def abstract_value(value):
    """The abstract value of a concrete argument (the unit of a call signature)."""
    if isinstance(value, bool) or isinstance(value, np.bool_):
        return ("arr", (), np.dtype(bool))
    if isinstance(value, numbers.Integral) and not isinstance(value, np.generic):
        return ("int", None)
    if isinstance(value, float):
        return ("arr", (), np.dtype(np.float64))
    if isinstance(value, (np.ndarray, np.generic)):
        return ("arr", tuple(value.shape), value.dtype)
    if isinstance(value, tuple):
        return ("tuple", [abstract_value(v) for v in value])
    if isinstance(value, list):
        return ("list", [abstract_value(v) for v in value])
    if isinstance(value, dict):
        return ("dict", {k: abstract_value(v) for k, v in value.items()})
    if value is None or isinstance(value, str):
        return ("const", value)
    return None


def signature_key(aval):
    """A hashable form of an abstract value (for caches)."""
    if aval is None:
        return None
    kind = aval[0]
    if kind == "arr":
        return ("arr", aval[1], aval[2].str if aval[2] is not None else None)
    if kind in ("tuple", "list"):
        if aval[1] is None:                  # a list grown by append: length unknown
            return (kind, None)
        return (kind, tuple(signature_key(v) for v in aval[1]))
    if kind == "dict":
        return ("dict", tuple((k, signature_key(v)) for k, v in aval[1].items()))
    if kind == "const":
        return ("const", aval[1] if isinstance(aval[1], (str, type(None))) else id(aval[1]))
    return aval


def _same_dtype(a, b):
    # careful: np.dtype(...) == None is True (None means float64 to NumPy)
    return a is b or (a is not None and b is not None and a == b)


def same(a, b):
    """Structural equality of abstract values."""
    if a is b:
        return True
    if a is None or b is None or a is BOTTOM or b is BOTTOM or a[0] != b[0]:
        return False
    kind = a[0]
    if kind == "arr":
        return a[1] == b[1] and _same_dtype(a[2], b[2])
    if kind in ("tuple", "list"):
        if a[1] is None or b[1] is None:
            return a[1] is b[1]
        return len(a[1]) == len(b[1]) and all(same(x, y) for x, y in zip(a[1], b[1]))
    if kind == "dict":
        return a[1].keys() == b[1].keys() and all(same(a[1][k], b[1][k]) for k in a[1])
    if kind == "const":
        if a[1] is b[1]:
            return True
        simple = (int, float, str, bool, type(None))
        return type(a[1]) is type(b[1]) and isinstance(a[1], simple) and a[1] == b[1]
    return a == b


def join(a, b):
    if a is BOTTOM:
        return b
    if b is BOTTOM or same(a, b):
        return a
    if a is None or b is None or a[0] != b[0]:
        if a is not None and b is not None and {a[0], b[0]} == {"arr", "int"}:
            return ("arr", None, None)
        return None
    kind = a[0]
    if kind == "arr":
        shape = a[1] if a[1] == b[1] else None
        dtype = a[2] if _same_dtype(a[2], b[2]) else None
        return ("arr", shape, dtype)
    if kind == "int":
        return ("int", a[1] if a[1] == b[1] else None)
    if kind in ("tuple", "list"):
        if a[1] is None or b[1] is None or len(a[1]) != len(b[1]):
            return (kind, None)
        return (kind, [join(x, y) for x, y in zip(a[1], b[1])])
    if kind == "dict":
        if a[1].keys() != b[1].keys():
            return None
        return ("dict", {k: join(a[1][k], b[1][k]) for k in a[1]})
    return None


def _shape(aval):
    if aval is None or aval is BOTTOM:
        return None
    if aval[0] == "arr":
        return aval[1]
    if aval[0] == "int":
        return ()
    return None


def _proxy(aval):
    """A concrete stand-in with the right shape and dtype (values are meaningless)."""
    if aval is None or aval is BOTTOM:
        raise _Unknown
    kind = aval[0]
    if kind == "arr":
        if aval[1] is None:
            raise _Unknown
        dtype = aval[2] if aval[2] is not None else np.dtype(float)
        if int(np.prod(aval[1])) > _PROXY_LIMIT:
            raise _Unknown
        return np.ones(aval[1], dtype)
    if kind == "int":
        if aval[1] is None:
            raise _Unknown
        return aval[1]
    if kind == "const":
        return aval[1]
    if kind in ("tuple", "list"):
        if aval[1] is None:
            raise _Unknown
        items = [_proxy(v) for v in aval[1]]
        return tuple(items) if kind == "tuple" else items
    if kind == "dict":
        return {k: _proxy(v) for k, v in aval[1].items()}
    raise _Unknown


class _Unknown(Exception):
    pass


def _of_value(value):
    if isinstance(value, (np.ndarray, np.generic)):
        return ("arr", tuple(np.shape(value)), np.asarray(value).dtype)
    if isinstance(value, bool):
        return ("arr", (), np.dtype(bool))
    if isinstance(value, numbers.Integral):
        return ("int", int(value))
    if isinstance(value, float):
        return ("arr", (), np.dtype(float))
    if isinstance(value, tuple):
        return ("tuple", [_of_value(v) for v in value])
    if isinstance(value, list):
        return ("list", [_of_value(v) for v in value])
    return None


class NoShapes:
    """Knows nothing: every answer is the generic one."""

    def may_broadcast(self, arg, out):
        return True

    def shape(self, name):
        return None

    def aval(self, name):
        return None

    def index_shape(self, base, index):
        return None


class Shapes(NoShapes):
    """Shapes of a core-language function's variables for one argument signature."""

    def __init__(self, fn, env, activity, arg_avals, callees=None):
        self.fn = fn
        self.env = env
        self.activity = activity
        self.callees = callees            # answers output_aval(function, avals) for calls
        self.avals = dict(arg_avals)
        stmts = list(iter_statements(fn.body))
        for _ in range(12):
            before = dict(self.avals)
            for stmt in stmts:
                self._transfer(stmt)
            if before.keys() == self.avals.keys() and all(
                    same(before[k], self.avals[k]) for k in before):
                break
        else:
            # no fixed point: forget everything a loop could change
            for name in list(self.avals):
                if name not in arg_avals:
                    self.avals[name] = None

    # ------------------------------------------------------------ queries
    def aval(self, name):
        value = self.avals.get(name)
        return None if value is BOTTOM else value

    def shape(self, name):
        return _shape(self.aval(name))

    def may_broadcast(self, arg, out):
        if isinstance(arg, gast.Constant):
            return False
        if not isinstance(arg, gast.Name):
            return True
        a, b = self.shape(arg.id), self.shape(out)
        return not (a is not None and b is not None and a == b)

    def index_shape(self, base, index):
        try:
            aval = self._getitem(self.aval(base), index)
        except _Unknown:                      # a mask, or bounds known only at run time
            return None
        return _shape(aval)

    # ------------------------------------------------------------ transfer
    def _set(self, name, aval):
        old = self.avals.get(name, BOTTOM)
        self.avals[name] = join(old, aval)

    def _atom(self, node):
        if isinstance(node, gast.Constant):
            return _const(node.value)
        if isinstance(node, gast.Name):
            if node.id in self.avals:
                return self.avals[node.id]
            obj = self.env.lookup(node)
            return ("const", obj) if obj is not None else None
        if isinstance(node, gast.Attribute):
            obj = self.env.lookup(node)
            return ("const", obj) if obj is not None else None
        return None

    def _transfer(self, stmt):
        if isinstance(stmt, gast.For):
            self._set(stmt.target.id, ("int", None))
            return
        if isinstance(stmt, gast.Expr):
            op = self.activity.op(stmt)
            if op is not None and op.kind == O.APPEND:
                owner = stmt.value.func.value.id
                self.avals[owner] = join(self.avals.get(owner, BOTTOM), ("list", None))
            return
        if not isinstance(stmt, gast.Assign) or not isinstance(stmt.targets[0], gast.Name):
            return
        op = self.activity.op(stmt)
        try:
            aval = self._evaluate(op)
        except Exception:                    # knowing less is always safe
            aval = None
        if aval is BOTTOM:
            return
        self._set(stmt.targets[0].id, aval)

    def _evaluate(self, op):
        node = op.node
        if op.kind == O.CONST:
            return self._atom(node)
        if op.kind == O.COPY:
            return self.avals.get(node.id, BOTTOM)
        if op.kind == O.CONTAINER:
            if isinstance(node, gast.Dict):
                keys = [self._atom(k) for k in node.keys]
                if not all(k is not None and k is not BOTTOM and k[0] in ("const", "int")
                           for k in keys):
                    return None
                values = [self._atom(v) for v in node.values]
                if any(v is BOTTOM for v in values):
                    return BOTTOM
                return ("dict", {k[1]: v for k, v in zip(keys, values)})
            values = [self._atom(e) for e in node.elts]
            if any(v is BOTTOM for v in values):
                return BOTTOM
            return ("tuple" if isinstance(node, gast.Tuple) else "list", values)
        if op.kind == O.GETITEM:
            base = self._atom(node.value)
            if base is BOTTOM:
                return BOTTOM
            return self._getitem(base, node.slice)
        if op.kind == O.RULE:
            return self._call(op)
        if op.kind == O.USER and self.callees is not None:
            return self._user_call(op)
        return None

    def _user_call(self, op):
        import inspect
        try:
            names = [p.name for p in inspect.signature(op.callee).parameters.values()]
        except (TypeError, ValueError):
            return None
        avals = {}
        for name, atom in zip(names, op.args):
            avals[name] = self._atom(atom)
        for key, atom in op.keywords:
            avals[key] = self._atom(atom)
        if any(v is BOTTOM for v in avals.values()):
            return BOTTOM
        from ..analysis.shapes import abstract_value
        for name, parameter in inspect.signature(op.callee).parameters.items():
            if name not in avals:
                if parameter.default is inspect.Parameter.empty:
                    return None
                avals[name] = abstract_value(parameter.default)
        return self.callees.output_aval(op.callee, avals)

    def atom(self, node):
        """The abstract value of an atom (a name or a constant) of this function."""
        value = self._atom(node)
        return None if value is BOTTOM else value

    def _getitem(self, base, index):
        if base is None or base is BOTTOM:
            return None
        kind = base[0]
        if kind in ("tuple", "list", "dict"):
            key = self._atom(index)
            if key is None or key is BOTTOM or key[0] not in ("const", "int") or base[1] is None:
                return None
            try:
                return base[1][key[1]]
            except (KeyError, IndexError, TypeError):
                return None
        if kind != "arr" or base[1] is None:
            return None
        proxy = np.lib.stride_tricks.as_strided(np.zeros(1, base[2] or float), base[1],
                                                (0,) * len(base[1]))
        try:
            result = proxy[self._index_proxy(index)]
        except (IndexError, TypeError, ValueError, _Unknown):
            return None
        return ("arr", tuple(np.shape(result)), base[2])

    def _index_proxy(self, index):
        if isinstance(index, gast.Tuple):
            return tuple(self._index_proxy(e) for e in index.elts)
        if isinstance(index, gast.Slice):
            parts = []
            for part in (index.lower, index.upper, index.step):
                if part is None:
                    parts.append(None)
                    continue
                aval = self._atom(part)
                if aval is None or aval is BOTTOM:
                    raise _Unknown
                if aval[0] == "int" and aval[1] is not None:
                    parts.append(aval[1])
                elif aval[0] == "const" and aval[1] is None:
                    parts.append(None)
                else:
                    raise _Unknown
            return slice(*parts)
        if isinstance(index, gast.Constant):
            return index.value
        aval = self._atom(index)
        if aval is None or aval is BOTTOM:
            raise _Unknown
        if aval[0] == "int":
            return 0 if aval[1] is None else aval[1]
        if aval[0] == "const" and aval[1] is None:
            return None
        if aval[0] == "arr" and aval[1] is not None and aval[2] is not None \
                and np.issubdtype(aval[2], np.integer):
            if aval[1] == ():
                return 0
            return np.zeros(aval[1], dtype=int)
        raise _Unknown

    def _call(self, op):
        args = [self._atom(a) for a in op.args]
        keywords = {k: self._atom(v) for k, v in op.keywords}
        if any(a is BOTTOM for a in args) or any(v is BOTTOM for v in keywords.values()):
            return BOTTOM
        node = op.node
        if isinstance(node, gast.BinOp) and isinstance(node.op, gast.Add) and all(
                a is not None and a[0] in ("tuple", "list") for a in args):
            if args[0][1] is None or args[1][1] is None:           # concatenation
                return (args[0][0], None)
            return (args[0][0], list(args[0][1]) + list(args[1][1]))
        if isinstance(node, gast.BinOp) and isinstance(node.op, (gast.Add, gast.Sub, gast.Mult,
                                                                  gast.FloorDiv, gast.Mod)):
            if all(a is not None and a[0] == "int" for a in args):
                if args[0][1] is None or args[1][1] is None:
                    return ("int", None)
                import operator as py
                fn = {gast.Add: py.add, gast.Sub: py.sub, gast.Mult: py.mul,
                      gast.FloorDiv: py.floordiv, gast.Mod: py.mod}[type(node.op)]
                try:
                    return ("int", fn(args[0][1], args[1][1]))
                except ZeroDivisionError:
                    return ("int", None)
        if isinstance(node, (gast.BinOp, gast.Compare)) and not isinstance(
                getattr(node, "op", None), gast.MatMult):
            return self._broadcast(args, bool_result=isinstance(node, gast.Compare))
        if isinstance(node, gast.UnaryOp):
            if isinstance(node.op, gast.Not):
                return ("arr", (), np.dtype(bool))
            return args[0]
        callee = op.callee
        if callee is len:
            shape = _shape(args[0]) if args[0] and args[0][0] == "arr" else None
            if shape:
                return ("int", shape[0])
            if args[0] and args[0][0] in ("tuple", "list") and args[0][1] is not None:
                return ("int", len(args[0][1]))
            return ("int", None)
        if callee is np.shape:
            shape = _shape(args[0])
            if shape is None:
                return None
            return ("tuple", [("int", n) for n in shape])
        if callee is np.ndim:
            shape = _shape(args[0])
            return ("int", None if shape is None else len(shape))
        if callee is np.size:
            shape = _shape(args[0])
            return ("int", None if shape is None else int(np.prod(shape)))
        if id(callee) in DATA_DEPENDENT:
            return None
        rule = op.rule
        family = rule.family if rule is not None else None
        if isinstance(node, gast.BinOp) and isinstance(node.op, gast.MatMult) or \
                callee in (np.matmul, np.dot):
            return self._matmul(args, callee is np.dot)
        if family == "elementwise":
            first = args[0]
            if first is not None and first[0] == "int":
                return ("arr", (), np.dtype(float))
            return first if first is None else ("arr", first[1], _float(first[2]))
        if family == "broadcasting":
            try:
                bindings, _ = rule.bind(op.args, op.keywords, callee)
            except Exception:
                return None
            operands = [self._atom(bindings[p]) for p in rule.params
                        if p in bindings and p not in rule.static]
            return self._broadcast(operands)
        return self._by_proxy(callee, args, keywords)

    def _broadcast(self, avals, bool_result=False):
        shapes, dtypes = [], []
        for aval in avals:
            if aval is None:
                return ("arr", None, None)
            if aval[0] == "int":
                shapes.append(())
                dtypes.append(np.dtype(int))
            elif aval[0] == "arr":
                if aval[1] is None:
                    return ("arr", None, None)
                shapes.append(aval[1])
                dtypes.append(aval[2])
            elif aval[0] == "const" and isinstance(aval[1], (int, float, bool)):
                shapes.append(())
            else:
                return None
        try:
            shape = np.broadcast_shapes(*shapes)
        except ValueError:
            return None
        if bool_result:
            return ("arr", shape, np.dtype(bool))
        known = [d for d in dtypes if d is not None]
        dtype = np.result_type(*known) if known and len(known) == len(dtypes) else None
        if not dtypes:
            dtype = np.dtype(float)
        return ("arr", shape, dtype)

    def _matmul(self, args, is_dot):
        a, b = (_shape(x) for x in args[:2])
        if a is None or b is None:
            return ("arr", None, None)
        try:
            proxy_a = np.lib.stride_tricks.as_strided(np.zeros(1), a, (0,) * len(a))
            proxy_b = np.lib.stride_tricks.as_strided(np.zeros(1), b, (0,) * len(b))
            if len(a) == 0 or len(b) == 0:
                shape = np.broadcast_shapes(a, b)
            elif is_dot and (len(a) > 2 or len(b) > 2):
                shape = a[:-1] + b[:-2] + b[-1:]
            else:
                shape = np.matmul(proxy_a[..., :1, :] if len(a) > 1 else proxy_a,
                                  proxy_b[..., :, :1] if len(b) > 1 else proxy_b).shape
                if len(a) > 1:
                    shape = shape[:-2] + (a[-2],) + shape[-1:] if len(b) > 1 else shape[:-1] + (a[-2],)
                if len(b) > 1:
                    shape = shape[:-1] + (b[-1],)
        except ValueError:
            return None
        dtypes = [x[2] for x in args[:2] if x and x[0] == "arr"]
        dtype = (np.result_type(*dtypes) if len(dtypes) == 2
                 and not any(d is None for d in dtypes) else None)
        return ("arr", tuple(shape), dtype)

    def _by_proxy(self, callee, args, keywords):
        if callee is None or not callable(callee):
            return None
        special = _SHAPE_FUNCTIONS.get(id(callee))
        if special is not None:
            try:
                return special(args, keywords)
            except (_Unknown, ValueError, TypeError, IndexError):
                return None
        try:
            values = [_proxy(a) for a in args]
            kw = {k: _proxy(v) for k, v in keywords.items()}
        except _Unknown:
            return None
        try:
            with np.errstate(all="ignore"):
                result = callee(*values, **kw)
        except Exception:
            return None
        return _of_value(result)


# ------------------------------------------------------------ shape functions

def _static(aval):
    """The Python value of a static argument (ints, tuples of ints, None, constants)."""
    if aval is None or aval is BOTTOM:
        raise _Unknown
    if aval[0] == "int":
        if aval[1] is None:
            raise _Unknown
        return aval[1]
    if aval[0] == "const":
        return aval[1]
    if aval[0] in ("tuple", "list"):
        if aval[1] is None:
            raise _Unknown
        return tuple(_static(v) for v in aval[1])
    if aval[0] == "arr" and aval[1] == () and aval[2] == np.dtype(bool):
        raise _Unknown
    raise _Unknown


def _arg(args, keywords, position, name, default=_Unknown):
    if len(args) > position:
        return args[position]
    if name in keywords:
        return keywords[name]
    if default is _Unknown:
        raise _Unknown
    return ("const", default)


def _array_shape(aval):
    shape = _shape(aval)
    if shape is None:
        raise _Unknown
    return shape


def _view(shape):
    return np.lib.stride_tricks.as_strided(np.zeros(1), shape, (0,) * len(shape))


def _dtype(aval):
    return aval[2] if aval is not None and aval[0] == "arr" else None


def _reduce(args, keywords, dtype=None, axis_pos=1):
    shape = _array_shape(args[0])
    axis = _static(_arg(args, keywords, axis_pos, "axis", None))
    keepdims = _static(keywords.get("keepdims", ("const", False)))
    if axis is None:
        out = (1,) * len(shape) if keepdims else ()
    else:
        axes = axis if isinstance(axis, tuple) else (axis,)
        axes = {a % len(shape) for a in axes}
        out = tuple((1 if i in axes else n) for i, n in enumerate(shape)
                    if keepdims or i not in axes)
    if dtype is None:
        dtype = _asked_dtype(args, keywords, None, _float(_dtype(args[0])))
    return ("arr", out, dtype)


def _asked_dtype(args, keywords, position, default):
    """The ``dtype=`` a call asks for (by keyword, or at ``position``), else ``default``."""
    if position is not None and len(args) > position:
        value = _static(args[position])
    else:
        value = _static(keywords.get("dtype", ("const", None)))
    return default if value is None else np.dtype(value)


def _creation(args, keywords):
    shape = _static(_arg(args, keywords, 0, "shape"))
    shape = (shape,) if isinstance(shape, int) else tuple(shape)
    return ("arr", shape, _asked_dtype(args, keywords, 1, np.dtype(float)))


def _full(args, keywords):
    shape = _creation(args[:1], {"shape": keywords["shape"]} if "shape" in keywords else {})[1]
    fill = np.asarray(_proxy(_arg(args, keywords, 1, "fill_value"))).dtype
    return ("arr", shape, _asked_dtype(args, keywords, 2, fill))


def _like(args, keywords):
    return ("arr", _array_shape(args[0]), _asked_dtype((), keywords, None, _dtype(args[0])))


def _created_like(fill):
    """np.zeros_like(a, dtype, order, subok, shape) and np.full_like(a, fill_value, ...)."""
    def apply(args, keywords):
        dtype_position = 2 if fill else 1
        if len(args) > dtype_position + 1:
            raise _Unknown                      # order, subok, shape given by position
        shape = _static(keywords.get("shape", ("const", None)))
        if shape is None:
            shape = _array_shape(args[0])
        shape = (shape,) if isinstance(shape, int) else tuple(shape)
        return ("arr", shape, _asked_dtype(args, keywords, dtype_position, _dtype(args[0])))
    return apply


def _views(fn):
    def apply(args, keywords):
        base = _view(_array_shape(args[0]))
        rest = [_static(a) for a in args[1:]]
        kw = {k: _static(v) for k, v in keywords.items()}
        return ("arr", tuple(fn(base, *rest, **kw).shape), _dtype(args[0]))
    return apply


def _ravel(args, keywords):
    return ("arr", (int(np.prod(_array_shape(args[0]))),), _dtype(args[0]))


def _join_arrays(stack):
    def apply(args, keywords):
        parts = args[0]
        if parts is None or parts[0] not in ("tuple", "list") or parts[1] is None:
            raise _Unknown
        shapes = [_array_shape(p) for p in parts[1]]
        axis = _static(_arg(args, keywords, 1, "axis", 0))
        views = [_view(s) for s in shapes]
        fn = np.stack if stack else np.concatenate
        dtypes = [_dtype(p) for p in parts[1]]
        dtype = np.result_type(*dtypes) if not any(d is None for d in dtypes) else None
        return ("arr", tuple(fn(views, axis=axis).shape), dtype)
    return apply


def _outer(args, keywords):
    a, b = _array_shape(args[0]), _array_shape(args[1])
    return ("arr", (int(np.prod(a)), int(np.prod(b))), np.dtype(float))


def _norm(args, keywords):
    return _reduce([args[0]] + [_arg(args, keywords, 2, "axis", None)],
                   {"keepdims": _arg(args, keywords, 3, "keepdims", False)})


def _einsum(args, keywords):
    subscripts = _static(args[0])
    shapes = [_array_shape(a) for a in args[1:]]
    inputs, _, output = subscripts.replace(" ", "").partition("->")
    if "." in subscripts:
        raise _Unknown
    sizes = {}
    for spec, shape in zip(inputs.split(","), shapes):
        for letter, n in zip(spec, shape):
            sizes[letter] = max(sizes.get(letter, 1), n)
    if not output and "->" not in subscripts:
        letters = inputs.replace(",", "")
        output = "".join(sorted(c for c in set(letters) if letters.count(c) == 1))
    return ("arr", tuple(sizes[c] for c in output), np.dtype(float))


_SHAPE_FUNCTIONS = {}


def _register_shape_functions():
    table = {
        np.sum: _reduce, np.mean: _reduce, np.max: _reduce, np.min: _reduce,
        np.amax: _reduce, np.amin: _reduce, np.prod: _reduce, np.var: _reduce, np.std: _reduce,
        np.argmax: lambda a, k: _reduce(a, k, np.dtype(int)),
        np.argmin: lambda a, k: _reduce(a, k, np.dtype(int)),
        np.any: lambda a, k: _reduce(a, k, np.dtype(bool)),
        np.all: lambda a, k: _reduce(a, k, np.dtype(bool)),
        np.zeros: _creation, np.ones: _creation, np.empty: _creation,
        np.full: _full,
        np.zeros_like: _created_like(False), np.ones_like: _created_like(False),
        np.empty_like: _created_like(False), np.full_like: _created_like(True),
        np.copy: _like, np.cumsum: lambda a, k: _like(a, k) if _static(
            _arg(a, k, 1, "axis", None)) is not None else _ravel(a, k),
        np.reshape: _views(np.reshape), np.transpose: _views(np.transpose),
        np.swapaxes: _views(np.swapaxes), np.moveaxis: _views(np.moveaxis),
        np.expand_dims: _views(np.expand_dims), np.squeeze: _views(np.squeeze),
        np.flip: _views(np.flip), np.broadcast_to: _views(np.broadcast_to),
        np.atleast_1d: _views(np.atleast_1d), np.atleast_2d: _views(np.atleast_2d),
        np.ravel: _ravel, np.concatenate: _join_arrays(False), np.stack: _join_arrays(True),
        np.outer: _outer, np.linalg.norm: _norm, np.einsum: _einsum,
        np.linalg.inv: _like, np.linalg.det: lambda a, k: ("arr", _array_shape(a[0])[:-2],
                                                           np.dtype(float)),
    }
    for fn, shape_fn in table.items():
        _SHAPE_FUNCTIONS[id(fn)] = shape_fn


_register_shape_functions()


def _const(value):
    if isinstance(value, bool):
        return ("const", value)
    if isinstance(value, int):
        return ("int", value)
    if isinstance(value, float):
        return ("arr", (), np.dtype(float))
    return ("const", value)


def _float(dtype):
    if dtype is None:
        return None
    return dtype if np.issubdtype(dtype, np.inexact) else np.dtype(np.float64)
