"""The README's tour is a test: a newcomer's first walk must end with a paid invoice."""
import re
import subprocess
from pathlib import Path

README = Path(__file__).parents[1] / "README.md"


def tour() -> str:
    text = README.read_text()
    return re.search(r"<!-- tour:.*?-->\s*```bash\n(.*?)```", text, re.S).group(1)


def test_the_readme_tour_ends_with_a_paid_invoice(stack):
    script = tour().replace("A=http://127.0.0.1:8080/api/v1", f"A={stack.base_url}")
    done = subprocess.run(["bash", "-euo", "pipefail", "-c", script], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.split("\n")
    assert lines[0] == "qualified"
    assert "invalid_transition" in lines[1] and "'current_state': 'draft'" in lines[1]
    assert re.fullmatch(r"INV-\d{4}-\d{5}", lines[3])
    assert lines[-2] == "paid"
