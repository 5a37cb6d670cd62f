"""Abstract interpretation of a core-language function: every variable's abstract value
(``analysis/avals.py``) for one call signature.

Given the abstract values of the arguments, each statement's result follows from its
operation: literals and copies directly, containers item by item, indexing by NumPy's
indexing rules, calls through the primitive table's ``abstract_eval`` slot (and user
functions by analysing them in turn).  Nothing is run.  Variables a loop assigns are
joined over the iterations until nothing changes.  Anything data-dependent is unknown
(None), and unknown always selects the generic code path, so what this finds is true
for every call with the same signature.

Reverse mode asks it simple questions: does this operand have the output's shape (then
no unbroadcasting)?  Is the output a float scalar (then the seed is the constant 1.0)?
Is this an array indexed by an integer (then ``dx[i] += g``)?
"""
import inspect

import gast
import numpy as np

from ..rules import evaluation as E
from . import avals as A
from . import ops as O
from ..ir.walk import all_stored, iter_statements

_UNSET = object()          # a name not assigned yet in this round (loop-carried)
_MAX_ROUNDS = 20


def index_components(index, atom):
    """The abstract values of an index's components (see ``evaluation.index``)."""
    parts = index.elts if isinstance(index, gast.Tuple) else [index]
    out = []
    for part in parts:
        if isinstance(part, gast.Slice):
            bounds = []
            for bound in (part.lower, part.upper, part.step):
                if bound is None:
                    bounds.append(None)
                    continue
                value = atom(bound)
                try:
                    bounds.append(A.static_value(value))
                except LookupError:
                    bounds = None
                    break
            out.append(A.Const(slice(*bounds) if bounds is not None else "slice"))
        elif isinstance(part, gast.Constant) and (part.value is None or part.value is Ellipsis):
            out.append(A.Const(part.value))
        else:
            out.append(atom(part))
    return out


class Shapes:
    """Abstract values of a core-language function's variables for one signature.

    Args:
      fn, env: the function and its module environment.
      ops: ``ops.classify_function`` of ``fn``.
      arg_avals: parameter name -> abstract value (None for a generic analysis, where
        nothing is known of the arguments).
      callees: answers ``output_aval(function, avals)`` for calls to user functions.
    """

    def __init__(self, fn, env, ops, arg_avals=None, callees=None):
        self.fn = fn
        self.env = env
        self.ops = ops
        self.callees = callees
        self.generic = arg_avals is None
        params = [a.id for a in fn.args.args + fn.args.kwonlyargs]
        self.avals = {p: (arg_avals or {}).get(p) for p in params}
        self.locals = set(params) | all_stored(fn.body)
        stmts = list(iter_statements(fn.body))
        for _ in range(_MAX_ROUNDS):
            before = dict(self.avals)
            for stmt in stmts:
                self._transfer(stmt)
            if before == self.avals:
                break
        else:
            for name in list(self.avals):         # no fixed point: forget what loops change
                if name not in params:
                    self.avals[name] = None

    # ------------------------------------------------------------ queries
    def aval(self, name):
        value = self.avals.get(name)
        return None if value is _UNSET else value

    def shape(self, name):
        """The shape of an array or scalar (dims may be None), or None."""
        aval = self.aval(name)
        return aval.shape if isinstance(aval, A.Array) else None

    def static_shape(self, name):
        aval = self.aval(name)
        return aval.static_shape if isinstance(aval, A.Array) else None

    def known_shape(self, name):
        """The shape if every dimension is an int or a symbolic size (no unknown one)."""
        shape = self.shape(name)
        return None if shape is None or None in shape else shape

    def atom(self, node):
        """The abstract value of an atom (a name or a constant) of this function."""
        value = self._atom(node)
        return None if value is _UNSET else value

    def may_broadcast(self, arg, out):
        """Might ``arg`` (an operand of the statement defining ``out``) have been
        broadcast to make ``out``?"""
        if isinstance(arg, gast.Constant):
            return False
        if not isinstance(arg, gast.Name):
            return True
        return not A.same_shape(self.shape(arg.id), self.shape(out))

    def index_aval(self, base, index):
        """The abstract value of ``base[index]``."""
        return E.evaluate(lambda args, kwargs: E.index(self.aval(base), index_components(
            index, self.atom)), (), {})

    def index_shape(self, base, index):
        aval = self.index_aval(base, index)
        return aval.shape if isinstance(aval, A.Array) else None

    # ------------------------------------------------------------ transfer
    def _set(self, name, aval):
        old = self.avals.get(name, _UNSET)
        self.avals[name] = aval if old is _UNSET else A.join(old, aval)

    def _atom(self, node):
        if isinstance(node, gast.Constant):
            return A.of_constant(node.value)
        if isinstance(node, gast.Name):
            if node.id in self.avals:
                return self.avals[node.id]
            if self._is_local(node.id):
                return _UNSET
            obj = self.env.lookup(node)
            return A.of_constant(obj) if obj is not None else None
        if isinstance(node, gast.Attribute):
            obj = self.env.lookup(node)
            return A.of_constant(obj) if obj is not None else None
        return None

    def _is_local(self, name):
        return name in self.locals

    def _transfer(self, stmt):
        if isinstance(stmt, gast.For):
            self._set(stmt.target.id, A.Array(np.dtype(int), (), A.PYTHON))
            return
        op = self.ops.get(stmt)
        if isinstance(stmt, gast.Expr):
            if op is not None and op.kind == O.APPEND:
                owner = stmt.value.func.value.id
                self._set(owner, A.Seq("list", None))
            elif op is not None and op.kind == O.RULE and op.rule.effects.writes:
                # rt.add_at(d, key, v) on a container: what the item becomes is not known
                for k in op.rule.effects.writes:
                    if k < len(op.args) and isinstance(op.args[k], gast.Name):
                        self._write_item(op.args[k].id, None, None)
            return
        if isinstance(stmt, gast.Assign) and isinstance(stmt.targets[0], gast.Subscript) \
                and isinstance(stmt.targets[0].value, gast.Name):
            value = self._atom(stmt.value) if isinstance(stmt.value, (gast.Name, gast.Constant)) \
                else None
            self._write_item(stmt.targets[0].value.id, stmt.targets[0].slice,
                             None if value is _UNSET else value)
            return
        if not isinstance(stmt, gast.Assign) or not isinstance(stmt.targets[0], gast.Name):
            return
        aval = self._evaluate(op)
        if aval is not _UNSET:
            self._set(stmt.targets[0].id, aval)

    def _write_item(self, name, index, value):
        """``name[index] = value`` on a list or dict: the item may now be ``value`` too
        (one abstract value per name holds for every point of the function)."""
        container = self.avals.get(name)
        if not isinstance(container, (A.Seq, A.Dict)):
            return
        key = None
        if index is not None:
            components = index_components(index, self._atom)
            if len(components) == 1 and components[0] is not _UNSET:
                try:
                    key = A.static_value(components[0])
                except LookupError:
                    key = None
        if isinstance(container, A.Dict):
            if key is None or isinstance(key, slice):
                written = A.Dict(tuple((k, A.join(v, value)) for k, v in container.items))
            elif key in container.keys():
                written = A.Dict(tuple((k, A.join(v, value) if k == key else v)
                                       for k, v in container.items))
            else:
                written = A.Dict(container.items + ((key, value),))
        elif container.items is None:
            return
        elif isinstance(key, int) and -len(container.items) <= key < len(container.items):
            items = list(container.items)
            items[key] = A.join(items[key], value)
            written = A.Seq(container.kind, tuple(items))
        else:
            written = A.Seq(container.kind, None if isinstance(key, slice) else
                            tuple(A.join(v, value) for v in container.items))
        self.avals[name] = written

    def _evaluate(self, op):
        node = op.node
        if op.kind == O.CONST:
            return self._atom(node)
        if op.kind == O.COPY:
            return self._atom(node)
        if op.kind == O.CONTAINER:
            return self._container(node)
        if op.kind == O.GETITEM:
            base = self._atom(node.value)
            components = index_components(node.slice, self._atom)
            if base is _UNSET or any(c is _UNSET for c in components):
                return _UNSET
            return E.evaluate(lambda a, k: E.index(base, components), (), {})
        if op.kind == O.POP:
            owner = self._atom(node.func.value)
            if owner is _UNSET:
                return _UNSET
            if isinstance(owner, A.Seq) and owner.items:
                joined = owner.items[0]
                for item in owner.items[1:]:
                    joined = A.join(joined, item)
                return joined
            return None
        if op.kind not in (O.RULE, O.USER):
            return None
        args = [self._atom(a) for a in op.args]
        keywords = {k: self._atom(v) for k, v in op.keywords}
        if any(a is _UNSET for a in args) or any(v is _UNSET for v in keywords.values()):
            return _UNSET
        if op.kind == O.USER:
            return self._user_call(op, args, keywords)
        return op.rule.evaluate(args, keywords, op.callee)

    def _container(self, node):
        if isinstance(node, gast.Dict):
            keys = [self._atom(k) for k in node.keys]
            values = [self._atom(v) for v in node.values]
            if any(v is _UNSET for v in keys + values):
                return _UNSET
            try:
                statics = [A.static_value(k) for k in keys]
            except LookupError:
                return None
            return A.Dict(tuple(zip(statics, values)))
        values = [self._atom(e) for e in node.elts]
        if any(v is _UNSET for v in values):
            return _UNSET
        return A.Seq("tuple" if isinstance(node, gast.Tuple) else "list", tuple(values))

    def _user_call(self, op, args, keywords):
        if self.callees is None:
            return None
        try:
            signature = inspect.signature(op.callee)
        except (TypeError, ValueError):
            return None
        avals = dict(zip(signature.parameters, args))
        avals.update(keywords)
        for name, parameter in signature.parameters.items():
            if name not in avals:
                if parameter.default is inspect.Parameter.empty:
                    return None
                avals[name] = A.of_argument(parameter.default)
        return self.callees.output_aval(op.callee, avals)


def analyse(unit, arg_avals=None, callees=None):
    """The Shapes of a unit's function (its ops classified on the way)."""
    return Shapes(unit.fn, unit.env, O.classify_function(unit.fn, unit.env), arg_avals,
                  callees)
