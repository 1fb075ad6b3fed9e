"""Whatever an admin breaks, the loader answers with OfficeConfigError, never a crash."""
import re

import pytest

from queue_server.config import OfficeConfigError, loads_office

BAD_VALUES = ["[]", "{}", "0", '"x"', "true", "1.5", '{ id = "" }', '["KIA:"]']


def _variants(text):
    lines = text.splitlines()
    for i, line in enumerate(lines):
        yield f"drop line {i + 1}", "\n".join(lines[:i] + lines[i + 1:])
        match = re.match(r"^(\s*[A-Za-z_]+\s*=\s*)(.+)$", line)
        if match:
            for value in BAD_VALUES:
                yield f"line {i + 1} = {value}", "\n".join(lines[:i] + [match.group(1) + value] + lines[i + 1:])


def test_every_mutation_of_the_base_file_is_handled(base_text):
    outcomes = {"ok": 0, "error": 0, "toml": 0}
    for label, text in _variants(base_text):
        try:
            loads_office(text, "mutated.toml")
        except OfficeConfigError as exc:
            assert exc.problems, label
            for problem in exc.problems:
                assert problem.startswith("mutated.toml: "), (label, problem)
                assert problem.count(": ") >= 2, (label, problem)
            outcomes["toml" if "(toml)" in exc.problems[0] else "error"] += 1
        except Exception as exc:  # pragma: no cover - the failure message is the point
            pytest.fail(f"{label}: {type(exc).__name__}: {exc}")
        else:
            outcomes["ok"] += 1
    assert outcomes["error"] > 300 and outcomes["ok"] > 10
