from fuzz.check import STATS


def pytest_terminal_summary(terminalreporter):
    """The fuzzer's outcome counts and refusal rate, shown even with -q."""
    if sum(STATS.outcomes.values()):
        terminalreporter.write_line(STATS.summary())
