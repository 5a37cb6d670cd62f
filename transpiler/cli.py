"""Command line: print the source transpiler generates for a function.

    transpiler grad samples/tutorial.py:sum_of_squares
    transpiler value_and_grad mypkg.losses:loss --argnums 0 1 --has-aux
    transpiler grad model.py:loss --args "np.ones((128, 784)), 3"   # shape-specialised
    transpiler vmap samples/vmap_tutorial.py:convolve --in-axes 0 None
    transpiler rules

It prints exactly the source the API runs (``tp.source`` of the same transform).
"""
import argparse
import importlib
import importlib.util
import os
import sys
import traceback

from . import __version__

_DESCRIPTIONS = {
    "grad": "Print the source of the gradient of a scalar-valued function "
            "(what transpiler.grad runs).",
    "value_and_grad": "Print the source of value_and_grad: the function's value and its "
                      "gradient in one pass.",
    "vjp": "Print the source of vjp: the function's forward sweep, returning its value and "
           "what the backward sweep needs (<f>_fwd), and the backward sweep pulling a "
           "cotangent back to the arguments (<f>_bwd).",
    "jvp": "Print the source of jvp: the function carrying tangents (dot_x for x) along "
           "with its values, returning (output, tangent of the output); the tangents are "
           "keyword-only parameters. Every positional parameter (or those of --argnums) "
           "gets a tangent.",
    "jacfwd": "Print the source of jacfwd: the Jacobian by forward mode, the function's "
              "forward-mode version batched (vmap) over the basis of the argument.",
    "jacrev": "Print the source of jacrev: the Jacobian by reverse mode, the reverse sweep "
              "batched (vmap) over the basis of the output (a loop of backward sweeps "
              "where the output is not one array).",
    "hessian": "Print the source of hessian, jacfwd(jacrev(f)): forward mode over the "
               "code of jacrev.",
    "jit": "Print the source jit runs: the function specialised, its static arguments "
           "(--static NAME=VALUE) compile-time constants and the code that depends only "
           "on them run at compile time (branches resolved, loops folded).",
    "vmap": "Print the source of vmap: the function of a batch of examples, written with "
            "the batch axis first (slices and array operations on the whole batch where "
            "batching rules apply, masked code for a batched if/while, a loop over the "
            "examples where nothing else is exact). Give --args for the batched form: "
            "without example arguments the ranks are not known, and the source is the "
            "loop over the examples.",
    "rules": "List the functions transpiler differentiates, by family.",
}


def load_function(spec):
    """``path/to/file.py:func`` or ``package.module:func`` -> the function object."""
    if ":" not in spec:
        raise ValueError("expected FILE.py:FUNC or package.module:FUNC, got %r" % spec)
    where, _, attribute = spec.rpartition(":")
    if where.endswith(".py") or os.path.sep in where:
        path = os.path.abspath(where)
        if not os.path.exists(path):
            raise FileNotFoundError("no such file: %s" % where)
        name = os.path.splitext(os.path.basename(path))[0]
        directory = os.path.dirname(path)
        if directory not in sys.path:
            sys.path.insert(0, directory)
        spec_ = importlib.util.spec_from_file_location(name, path)
        module = importlib.util.module_from_spec(spec_)
        sys.modules[name] = module
        spec_.loader.exec_module(module)
    else:
        module = importlib.import_module(where)
    obj = module
    for part in attribute.split("."):
        if not hasattr(obj, part):
            raise AttributeError("%s has no attribute %r" % (where, part))
        obj = getattr(obj, part)
    return obj, module


class _Parser(argparse.ArgumentParser):
    """argparse, but usage errors exit with status 1 like every other error."""

    def error(self, message):
        self.print_usage(sys.stderr)
        sys.stderr.write("%s: error: %s\n" % (self.prog, message))
        sys.exit(1)


def _parser():
    parser = _Parser(
        prog="transpiler",
        description="Print the Python source transpiler generates for a function's "
                    "derivative.")
    parser.add_argument("--version", action="version", version="transpiler " + __version__)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for name in ("grad", "value_and_grad", "vjp", "jvp", "jacfwd", "jacrev", "hessian"):
        p = sub.add_parser(name, help=_DESCRIPTIONS[name], description=_DESCRIPTIONS[name])
        p.add_argument("function", metavar="FILE.py:FUNC",
                       help="the function: path/to/file.py:func or package.module:func")
        if name == "jvp":
            p.add_argument("--argnums", type=int, nargs="+", default=None, metavar="N",
                           help="positional arguments that get tangents (default: all)")
        elif name != "vjp":
            p.add_argument("--argnums", type=int, nargs="+", default=[0], metavar="N",
                           help="positional argument(s) to differentiate (default: 0); "
                                "several give a tuple of gradients")
        if name not in ("jvp", "hessian"):
            p.add_argument("--has-aux", action="store_true",
                           help="the function returns (value, aux)")
        p.add_argument("--args", metavar="EXPR", default=None,
                       help="example arguments, written as in a call and evaluated in the "
                            "function's module (e.g. \"np.ones(3), 2.0\" or \"*DATA\"): "
                            "prints the source specialised to their shapes")
        p.add_argument("--print-after", metavar="PASS", nargs="+", default=(),
                       help="also print the function after these stages (to stderr): "
                            "normalisation passes (anf, ...), specialise, the transform "
                            "(reverse, forward, jacfwd, jacrev), renormalise, optimise; "
                            "'all' for every one")
    p = sub.add_parser("jit", help=_DESCRIPTIONS["jit"], description=_DESCRIPTIONS["jit"])
    p.add_argument("function", metavar="FILE.py:FUNC",
                   help="the function: path/to/file.py:func or package.module:func")
    p.add_argument("--static", metavar="NAME=VALUE", nargs="+", default=(),
                   help="static arguments and their values (VALUE a Python expression, "
                        "evaluated in the function's module: n=20, mode=\"'fast'\")")
    p.add_argument("--backend", choices=("auto", "numba", "python"), default="auto",
                   help="the backend jit compiles for (the source is the same; with "
                        "--args and numba, it is compiled too, and what blocks Numba is "
                        "reported)")
    p.add_argument("--args", metavar="EXPR", default=None,
                   help="example values of the other arguments, as in a call (positional, "
                        "in order): prints the source specialised to their shapes")
    p.add_argument("--print-after", metavar="PASS", nargs="+", default=(),
                   help="also print the function after these stages (to stderr)")
    p = sub.add_parser("vmap", help=_DESCRIPTIONS["vmap"], description=_DESCRIPTIONS["vmap"])
    p.add_argument("function", metavar="FILE.py:FUNC",
                   help="the function: path/to/file.py:func or package.module:func")
    axes = (("--in-axes", "+", [0], "the axis each positional argument is batched along, "
             "an int or None (not batched); one value applies to every argument"),
            ("--out-axes", None, 0, "where the batch axis of the result goes, an int or "
             "None"))
    for flag, count, default, text in axes:
        p.add_argument(flag, type=_axis, nargs=count, default=default, metavar="AXIS",
                       help=text + " (default: 0)")
    p.add_argument("--args", metavar="EXPR", default=None,
                   help="example arguments (whole batches), as in a call: prints the "
                        "source specialised to their shapes")
    p.add_argument("--print-after", metavar="PASS", nargs="+", default=(),
                   help="also print the function after these stages (to stderr)")
    sub.add_parser("rules", help=_DESCRIPTIONS["rules"], description=_DESCRIPTIONS["rules"])
    return parser


def _axis(text):
    """An axis given on the command line: an int or None."""
    if text == "None":
        return None
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError("an axis is an int or None, got %r" % text) from None


def main(argv=None):
    parser = _parser()
    options = parser.parse_args(argv)
    if options.command is None:
        parser.print_help()
        return 1
    try:
        if options.command == "rules":
            from .rules.table import render
            sys.stdout.write(render())
            return 0
        return _transform(options)
    except _UserError as exc:
        sys.stderr.write("transpiler: error: %s\n" % exc)
        return 1
    except Exception as exc:                                   # noqa: BLE001
        from .errors import TranspileError
        expected = (TranspileError, TypeError, ValueError, NotImplementedError)
        if not isinstance(exc, expected) or os.environ.get("TRANSPILER_DEBUG"):
            traceback.print_exc()
            sys.stderr.write("transpiler: internal error (please report it, with the "
                             "traceback above): %s: %s\n" % (type(exc).__name__, exc))
            return 1
        sys.stderr.write("transpiler: error: %s\n" % exc)
        return 1


class _UserError(Exception):
    """Something wrong with what the user gave us (file, module, --args)."""


def _transform(options):
    import transpiler as tp
    if options.print_after:
        os.environ["TRANSPILER_PRINT_AFTER"] = ",".join(options.print_after)
    try:
        fn, module = load_function(options.function)
    except Exception as exc:                                   # noqa: BLE001
        raise _UserError("cannot load %s: %s: %s" % (options.function, type(exc).__name__,
                                                     exc)) from None
    args = None
    if options.args is not None:
        namespace = dict(vars(module))
        try:
            # as a call's argument list: "a, *b" works, and "(a, b)" is one tuple argument
            namespace["__arguments__"] = lambda *values: values
            args = eval("__arguments__(%s)" % options.args, namespace)   # noqa: S307
        except Exception as exc:                               # noqa: BLE001
            raise _UserError("cannot evaluate --args %r: %s: %s"
                             % (options.args, type(exc).__name__, exc)) from None
    if options.command == "jit":
        return _jit(fn, module, options, args)
    if options.command == "vjp":
        from .api import vjp_source
        sys.stdout.write(vjp_source(fn, args, has_aux=options.has_aux))
        return 0
    if options.command == "jvp":
        derived = _forward_of(fn, options.argnums, args)
        if args is not None:
            from .api import _zero_tangents
            args = tuple(args)
            sys.stdout.write(tp.source(derived, *args, **_zero_tangents(derived, args)))
            return 0
    elif options.command == "vmap":
        in_axes = options.in_axes[0] if len(options.in_axes) == 1 else tuple(options.in_axes)
        derived = tp.vmap(fn, in_axes=in_axes, out_axes=options.out_axes)
    elif options.command == "hessian":
        derived = tp.hessian(fn, argnums=_argnums(options))
    else:
        argnums = _argnums(options)
        transform = getattr(tp, options.command)
        derived = transform(fn, argnums=argnums, has_aux=options.has_aux)
    sys.stdout.write(tp.source(derived, *args) if args is not None else tp.source(derived))
    return 0


def _jit(fn, module, options, args):
    import transpiler as tp
    statics = {}
    for item in options.static:
        name, equals, text = item.partition("=")
        if not equals or not name.isidentifier():
            raise _UserError("--static expects NAME=VALUE, got %r" % item)
        try:
            statics[name] = eval(text, dict(vars(module)))       # noqa: S307
        except Exception as exc:                               # noqa: BLE001
            raise _UserError("cannot evaluate --static %s: %s: %s"
                             % (item, type(exc).__name__, exc)) from None
    jitted = tp.jit(fn, static_argnames=tuple(statics), backend=options.backend)
    if args is None:
        sys.stdout.write(jitted.source_for_statics(statics))
        return 0
    if options.backend == "numba":
        jitted(*args, **statics)                # compiled: what blocks Numba is reported
    sys.stdout.write(tp.source(jitted, *args, **statics))
    return 0


def _argnums(options):
    return options.argnums[0] if len(options.argnums) == 1 else tuple(options.argnums)


def _forward_of(fn, argnums, args):
    """jvp's function for ``fn``: tangents for the positional parameters ``argnums`` (all
    of them by default) of a call with as many arguments as --args gives (or all)."""
    from .api import _jvp_of
    import inspect
    positional = [p for p in inspect.signature(fn).parameters.values()
                  if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    count = len(args) if args is not None else len(positional)
    if argnums is not None:
        argnums = tuple(sorted(k % count for k in argnums))
    return _jvp_of(fn, count, argnums)


if __name__ == "__main__":
    sys.exit(main())
