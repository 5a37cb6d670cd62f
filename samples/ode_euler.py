"""Gradients through a loop: explicit Euler integration of a damped pendulum.

    theta' = omega
    omega' = -(g / length) * sin(theta) - damping * omega

is integrated for a few hundred steps by a plain Python `for` loop over scalars (Python
floats and `math` functions, a helper function called at each step).  The loss is the
pendulum's energy at the end; `tp.grad` differentiates it with respect to the dict of
parameters (the coefficients `g`, `length`, `damping` and the initial state `theta0`,
`omega0`).  The reverse pass walks the loop backwards, popping the saved states from a
tape; the result is compared with central finite differences.

Print the generated derivative code (specialised to a dict of floats and 200 steps):

    transpiler grad samples/ode_euler.py:final_energy --args "PARAMS, 200"

Run it:

    python samples/ode_euler.py
"""
import math

import transpiler as tp

PARAMS = {"g": 9.81, "length": 1.5, "damping": 0.3, "theta0": 1.2, "omega0": 0.0}
N_STEPS = 400
DT = 0.01


def pendulum_step(theta, omega, params, dt):
    """One explicit Euler step of the damped pendulum."""
    acceleration = -params["g"] / params["length"] * math.sin(theta) - params["damping"] * omega
    return theta + dt * omega, omega + dt * acceleration


def final_energy(params, n_steps, dt=DT):
    """Energy (per unit mass) of the pendulum after `n_steps` Euler steps of size `dt`."""
    theta = params["theta0"]
    omega = params["omega0"]
    for _ in range(n_steps):
        theta, omega = pendulum_step(theta, omega, params, dt)
    kinetic = 0.5 * (params["length"] * omega) ** 2
    potential = params["g"] * params["length"] * (1.0 - math.cos(theta))
    return kinetic + potential


def final_angle_error(theta0, omega0, params, n_steps, target=0.5):
    """Squared distance of the final angle from `target`, as a function of the initial state."""
    theta = theta0
    omega = omega0
    for _ in range(n_steps):
        theta, omega = pendulum_step(theta, omega, params, DT)
    return (theta - target) ** 2


def finite_difference(f, params, key, eps=1e-6):
    up, down = dict(params), dict(params)
    up[key] += eps
    down[key] -= eps
    return (f(up) - f(down)) / (2 * eps)


if __name__ == "__main__":
    gradient = tp.grad(final_energy)(PARAMS, N_STEPS)

    print("damped pendulum, %d explicit Euler steps of %.2f s" % (N_STEPS, DT))
    print("initial energy %.6f, final energy %.6f"
          % (final_energy(PARAMS, 0), final_energy(PARAMS, N_STEPS)))
    print()
    print("gradient of the final energy (transpiler vs finite differences):")
    worst = 0.0
    for key in PARAMS:
        numeric = finite_difference(lambda p: final_energy(p, N_STEPS), PARAMS, key)
        error = abs(gradient[key] - numeric) / max(1.0, abs(numeric))
        worst = max(worst, error)
        print("  d/d%-8s %+.8f   finite differences %+.8f   rel. error %.1e"
              % (key, gradient[key], numeric, error))
    assert worst < 1e-6, worst

    # Gradients with respect to two scalar arguments (the initial state) at once.
    d_theta0, d_omega0 = tp.grad(final_angle_error, argnums=(0, 1))(1.2, 0.0, PARAMS, N_STEPS)
    numeric_theta0 = (final_angle_error(1.2 + 1e-6, 0.0, PARAMS, N_STEPS)
                      - final_angle_error(1.2 - 1e-6, 0.0, PARAMS, N_STEPS)) / 2e-6
    numeric_omega0 = (final_angle_error(1.2, 1e-6, PARAMS, N_STEPS)
                      - final_angle_error(1.2, -1e-6, PARAMS, N_STEPS)) / 2e-6
    print()
    print("gradient of (theta_final - 0.5)^2 w.r.t. the initial state (argnums=(0, 1)):")
    print("  d/dtheta0 %+.8f   finite differences %+.8f" % (d_theta0, numeric_theta0))
    print("  d/domega0 %+.8f   finite differences %+.8f" % (d_omega0, numeric_omega0))
    assert abs(d_theta0 - numeric_theta0) < 1e-6 and abs(d_omega0 - numeric_omega0) < 1e-6
