"""The runner's own logic, run as a plain process with the host's Python (no isolation, fast)."""
import io
import json
import signal
import zipfile

import numpy as np
import pytest

from sandbox.results import read_results


@pytest.fixture
def grade(job_dir, build_job, run_runner):
    def grade(job_dir, source, functions, **options):
        job = build_job(job_dir, source, functions, **options)
        done = run_runner(job_dir)
        assert done.returncode == 0, done.stderr.decode()
        return read_results(done.stdout, job), done
    return grade


def test_timeout_in_one_function_leaves_the_others_graded(job_dir, grade):
    runs, _ = grade(job_dir, """
        def slow(x):
            while True:
                pass
        def double(x):
            return 2 * x
    """, {"slow": [(1,)], "double": [(np.arange(3),)]}, wall_s=1.0)
    assert runs["slow"].status == "timeout" and runs["slow"].cases[0].status == "timeout"
    assert runs["double"].status == "ok"
    np.testing.assert_array_equal(runs["double"].cases[0].value, [0, 2, 4])


def test_os_exit_in_one_function_leaves_the_others_graded(job_dir, grade):
    runs, _ = grade(job_dir, """
        import os
        def quits(x):
            os._exit(0)
        def dies(x):
            os.kill(os.getpid(), 11)
        def works(x):
            return x + 1
    """, {"quits": [(1,)], "dies": [(1,)], "works": [(1,)]})
    assert (runs["quits"].status, runs["quits"].exit_code) == ("crashed", 0)
    assert (runs["dies"].status, runs["dies"].signal) == ("crashed", signal.SIGSEGV)
    assert runs["quits"].cases[0].status == "crashed"
    assert runs["works"].cases[0].value == 2


def test_system_exit_and_base_exceptions_are_reported_as_errors(job_dir, grade):
    runs, _ = grade(job_dir, """
        import sys
        def exits(x):
            sys.exit(3)
        def interrupts(x):
            raise KeyboardInterrupt
        def base(x):
            raise BaseException("odd")
    """, {"exits": [(1,)], "interrupts": [(1,)], "base": [(1,)]})
    assert [runs[name].cases[0].error["type"] for name in ("exits", "interrupts", "base")] == \
        ["SystemExit", "KeyboardInterrupt", "BaseException"]
    assert all(run.status == "ok" for run in runs.values())


def test_failing_import_still_lets_the_other_functions_run(job_dir, grade):
    runs, _ = grade(job_dir, """
        import numpy as np
        import no_such_module_here
        def needs_no_such_module_here(x):
            return no_such_module_here.__version__
        def plain(x):
            return np.sum(x)
    """, {"needs_no_such_module_here": [(1,)], "plain": [(np.ones(4),)]})
    assert runs["plain"].cases[0].value == 4.0
    assert runs["plain"].setup_errors == [{"line": 3, "source": "import no_such_module_here",
                                           "error": "ModuleNotFoundError: No module named 'no_such_module_here'"}]
    assert runs["needs_no_such_module_here"].cases[0].error["type"] == "NameError"


def test_syntax_error_is_a_setup_error_and_every_function_is_missing(job_dir, grade):
    runs, _ = grade(job_dir, "def f(x):\n    return (\n", {"f": [(1,)]})
    assert runs["f"].setup_errors[0]["error"].startswith("SyntaxError")
    assert runs["f"].cases[0].error["message"] == "f is not defined in the submission"


def test_inputs_mutated_by_a_function_do_not_leak_into_the_next_case(job_dir, grade):
    runs, _ = grade(job_dir, """
        def update(parameters):
            parameters["W1"] -= 1
            return parameters["W1"].sum()
    """, {"update": [({"W1": np.ones(3)},)] * 3})
    assert [case.value for case in runs["update"].cases] == [0.0, 0.0, 0.0]


def test_traceback_keeps_only_the_students_frames(job_dir, grade):
    runs, _ = grade(job_dir, """
        import numpy as np
        def helper(v):
            return v["dW1"]
        def update(parameters):
            return helper(parameters)
    """, {"update": [({"W1": np.ones(2)},)]})
    error = runs["update"].cases[0].error
    assert (error["type"], error["message"]) == ("KeyError", "'dW1'")
    assert [frame["function"] for frame in error["traceback"]] == ["update", "helper"]
    assert error["traceback"][1] == {"line": 4, "function": "helper", "source": 'return v["dW1"]'}


def test_results_of_earlier_cases_survive_a_later_timeout(job_dir, grade):
    runs, _ = grade(job_dir, """
        def f(x):
            while x > 1:
                pass
            return x
    """, {"f": [(1,), (2,), (1,)]}, wall_s=1.0)
    assert [case.status for case in runs["f"].cases] == ["ok", "timeout", "not_run"]
    assert runs["f"].cases[0].value == 1


def test_student_prints_never_reach_the_archive(job_dir, grade):
    runs, done = grade(job_dir, """
        import os, sys
        def noisy(x):
            print("to stdout")
            os.write(1, b"to fd 1")
            sys.__stdout__.write("to the original stdout")
            for fd in range(3, 20):
                try:
                    os.write(fd, b"PK garbage")
                except OSError:
                    pass
            return x
        def quiet(x):
            return x
    """, {"noisy": [(1,)], "quiet": [(2,)]})
    # The garbage reached the case's own result pipe: its own verdict, never the archive or another function's
    assert runs["noisy"].cases[0].status == "error" and runs["noisy"].cases[0].error["type"] == "ResultUnreadable"
    assert runs["quiet"].cases[0].value == 2
    assert "to stdout" in runs["noisy"].output and "to fd 1" in runs["noisy"].output
    assert zipfile.ZipFile(io.BytesIO(done.stdout)).testzip() is None


def test_huge_stdout_is_capped(job_dir, grade):
    runs, done = grade(job_dir, """
        def chatty(x):
            for _ in range(200_000):
                print("spam " * 20)
            return x
    """, {"chatty": [(1,)]})
    assert runs["chatty"].cases[0].value == 1
    assert len(runs["chatty"].output) <= 4096 and len(done.stdout) < 200_000


def test_memory_bomb_gets_a_memory_error_in_its_own_function(job_dir, grade):
    runs, _ = grade(job_dir, """
        import numpy as np
        def hog(x):
            return np.ones((1 << 40,))
        def fine(x):
            return x
    """, {"hog": [(1,)], "fine": [(1,)]}, limits={"memory_mb": 512})
    assert runs["hog"].cases[0].error["type"] == "MemoryError"
    assert runs["fine"].cases[0].value == 1


def test_results_json_is_rewritten_with_a_running_marker_before_each_call(job_dir, build_job, run_runner):
    job = build_job(job_dir, "import os\ndef f(x):\n    os._exit(3)\n", {"f": [(1,)]})
    done = run_runner(job_dir)
    archive = zipfile.ZipFile(io.BytesIO(done.stdout))
    assert json.loads(archive.read("f0.json"))["cases"] == [{"id": "case-0", "status": "running", "output_start": 0}]
    runs = read_results(done.stdout, job)
    assert (runs["f"].status, runs["f"].exit_code, runs["f"].cases[0].status) == ("crashed", 3, "crashed")


def test_unsupported_return_values_are_reported_not_pickled(job_dir, grade):
    runs, _ = grade(job_dir, """
        import numpy as np
        def odd(x):
            return {"gen": (i for i in range(3)), "obj": np.array([None])}
    """, {"odd": [(1,)]})
    value = runs["odd"].cases[0].value
    assert value["gen"].type_name == "generator" and "object" in value["obj"].why
