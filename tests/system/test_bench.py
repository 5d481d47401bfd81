"""The benchmarks (bench/) run at --size tiny on SQLite and give their tables and targets.

Benchmarks are not timed tests: nothing here asserts a speed, only that each one runs and
reports what it should, and that --record writes docs/benchmarks.md's format.
"""

import pytest

from bench.__main__ import BENCHMARKS, main
from bench.common import Result, Table, Target
from bench.record import record
from tests.conftest import BACKEND

# The benchmarks make their own SQLite database whatever the suite runs on: once, with
# the PostgreSQL run, which has fewer browser tests (make test runs both at once).
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(BACKEND != "postgresql", reason="run once, with the PostgreSQL run"),
]


@pytest.fixture(scope="module")
def run(tmp_path_factory) -> tuple[dict[str, Result], str]:
    """Every benchmark once, tiny, recorded into a scratch file."""
    path = tmp_path_factory.mktemp("bench") / "benchmarks.md"
    results = main(["--size", "tiny", "--database", "sqlite", "--record", str(path)])
    return {result.name: result for result in results}, path.read_text(encoding="utf-8")


@pytest.mark.parametrize("name", list(BENCHMARKS))
def test_each_benchmark_reports_a_table_and_its_targets(run, name):
    result = run[0][name]
    assert result.title and result.tables and result.targets and result.notes
    for table in result.tables:
        assert table.rows
        assert all(len(row) == len(table.columns) for row in table.rows)
    assert all(target.met in (True, False, None) and target.detail for target in result.targets)


def test_the_webhook_benchmark_compares_the_app_with_the_bare_endpoint(run):
    data = run[0]["webhook"].data
    assert data["app"]["per_second"] > 0 and data["bare"]["per_second"] > 0
    assert data["store"]["per_second"] > 0  # the store-only floor
    assert data["orm"]["per_second"] > 0 and data["orm"]["errors"] == 0  # and through the ORM
    assert data["app"]["errors"] == 0, "every signed request should get a TwiML answer"
    assert data["stored"] > 0


def test_the_sweep_benchmark_sends_every_size_and_counts_round_trips(run):
    sizes = run[0]["sweep"].data["sizes"]
    assert len(sizes) == 2
    assert all(s["seconds"] > 0 and s["peak_mb"] > 0 and s["per_batch"] for s in sizes.values())
    # Batches a quarter the size at the smallest size, to compare round trips per batch.
    assert sizes[min(sizes)]["small_batch_range"]


def test_the_phone_menu_benchmark_reaches_the_meeting_in_every_language(run):
    found = run[0]["phone_menu"].data["languages"]
    assert all(r["found"] for r in found.values())
    assert all(r["keys"] == 1 for r in found.values() if r["has_voice"])


def test_the_record_describes_the_machine_and_every_benchmark(run):
    text = run[1]
    assert text.startswith("# Benchmarks")
    for key in ("CPU", "RAM", "OS", "Python", "PostgreSQL", "Date"):
        assert f"**{key}**" in text
    for name, module in BENCHMARKS.items():
        assert f"<!-- bench:{name} -->" in text and f"## {module.TITLE}" in text
    assert "## Targets met?" in text


def test_recording_again_replaces_its_own_section_and_keeps_the_rest(tmp_path):
    path = tmp_path / "benchmarks.md"
    first = Result("sweep", "Sweep", [Table(["a"], [["1"]])], [Target("t", True, "one")])
    other = Result("cost", "Cost", [Table(["b"], [["2"]])], [Target("u", False, "two")])
    record(path, [first, other], size="tiny", database="sqlite")
    path.write_text(path.read_text() + "\n## Fixes\n\nWritten by hand.\n")
    again = Result("sweep", "Sweep", [Table(["a"], [["3"]])], [Target("t", True, "three")])
    record(path, [again], size="tiny", database="sqlite")
    text = path.read_text()
    assert "| 3 |" in text and "| 1 |" not in text
    assert "| 2 |" in text, "a benchmark not run again keeps its section"
    assert "Written by hand." in text
    assert "three" in text and "two" in text and "one" not in text


@pytest.mark.parametrize("what,count", [("sweep", 12), ("webhook", 6)])
def test_the_profiling_scenarios_run(what, count):
    from bench import profile

    assert profile.main([what, str(count), "--database", "sqlite"]) > 0
