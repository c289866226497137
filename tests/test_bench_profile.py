"""make profile's aggregator (bench/profiling.py): py-spy's collapsed stacks in, own time
per function and per kind of code out, and a flame graph that is well-formed SVG."""
import importlib.util
import xml.etree.ElementTree as ElementTree
from pathlib import Path

_spec = importlib.util.spec_from_file_location(
    "bench_profiling", Path(__file__).resolve().parent.parent / "bench" / "profiling.py")
profiling = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(profiling)

# As py-spy --format raw writes them: root first, "function (file:line)", a count at the end.
SAMPLE = """\
<module> (crm-service:8);main (crmkit/cli.py:40);Hub.run (eventlet/hubs/hub.py:365);Hub.do_poll (eventlet/hubs/epolls.py:25) 7
GreenThread.main (eventlet/greenthread.py:272);Entrypoint.handle (nameko/rpc.py:190);create_lead (leads/commands.py:88);Session.flush (sqlalchemy/orm/session.py:4300);DefaultDialect.do_execute (sqlalchemy/engine/default.py:943) 20
GreenThread.main (eventlet/greenthread.py:272);Entrypoint.handle (nameko/rpc.py:190);create_lead (leads/commands.py:91);Session.flush (sqlalchemy/orm/session.py:4310);DefaultDialect.do_execute (sqlalchemy/engine/default.py:943) 5
GreenThread.main (eventlet/greenthread.py:272);Entrypoint.handle (nameko/rpc.py:201);dumps (json/__init__.py:231);JSONEncoder.encode (json/encoder.py:200) 3
GreenThread.main (eventlet/greenthread.py:272);Entrypoint.handle (nameko/rpc.py:190);create_lead (leads/commands.py:88) 2
a line that is no stack
"""  # noqa: E501 (lines as py-spy writes them)


def test_collapsed_stacks_are_read_without_line_numbers():
    stacks = profiling.read_collapsed(SAMPLE)

    # The two create_lead -> flush -> do_execute stacks differ only by line numbers: one stack, 25 samples.
    flush = ("GreenThread.main (eventlet/greenthread.py)", "Entrypoint.handle (nameko/rpc.py)",
             "create_lead (leads/commands.py)", "Session.flush (sqlalchemy/orm/session.py)",
             "DefaultDialect.do_execute (sqlalchemy/engine/default.py)")
    assert stacks[flush] == 25
    assert sum(stacks.values()) == 7 + 20 + 5 + 3 + 2
    assert len(stacks) == 4


def test_own_time_is_the_innermost_frame_and_grouped_by_what_it_is():
    own = profiling.own_time(profiling.read_collapsed(SAMPLE))

    assert own.most_common() == [("DefaultDialect.do_execute (sqlalchemy/engine/default.py)", 25),
                                 ("Hub.do_poll (eventlet/hubs/epolls.py)", 7),
                                 ("JSONEncoder.encode (json/encoder.py)", 3),
                                 ("create_lead (leads/commands.py)", 2)]
    assert dict(profiling.by_category(own)) == {
        "SQLAlchemy Core and engine": 25, "nameko / eventlet (framework machinery)": 7, "JSON": 3,
        "our code: services and gateway": 2}
    assert profiling.category_of("Session.flush (sqlalchemy/orm/session.py)") == "SQLAlchemy ORM"
    assert profiling.category_of("_read (amqp/transport.py)") == "kombu / amqp (broker client)"
    assert profiling.category_of("uuid4 (uuid.py)") == profiling.OTHER_CATEGORY


def test_analyse_spreads_the_samples_over_the_user_time(tmp_path):
    (tmp_path / "leads.txt").write_text(SAMPLE)
    sampled = {"leads": {"samples": 37, "errors": 0, "user_s": 3.7, "kernel_s": 1.0}}

    leads = profiling.analyse(tmp_path, sampled, flows=100)["leads"]

    assert (leads["user_ms_per_flow"], leads["kernel_ms_per_flow"]) == (37.0, 10.0)
    assert leads["top_frames"][0] == {"frame": "DefaultDialect.do_execute (sqlalchemy/engine/default.py)",
                                      "category": "SQLAlchemy Core and engine", "samples": 25, "ms_per_flow": 25.0}
    assert leads["categories"]["JSON"] == {"samples": 3, "ms_per_flow": 3.0}
    svg = ElementTree.fromstring((tmp_path / "leads.svg").read_text())
    titles = [t.text for t in svg.iter("{http://www.w3.org/2000/svg}title")]
    assert "Session.flush (sqlalchemy/orm/session.py): 25 samples (67.6%), own 0 (0.0%)" in titles
