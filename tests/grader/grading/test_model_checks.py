"""Model-check cards: what the check is and is worth, no failure hint on a pass, plots whose facts are text too."""
import pytest

from assignments import bundle_folders
from assignments.bundle import load_bundle
from grader.grading import model_checks
from grader.grading.model_checks import TITLE_CHARS, model_report
from sandbox.results import CaseRun, FunctionRun

pytestmark = pytest.mark.sandbox  # the reference's training comes from the expected-outputs cache


@pytest.fixture(scope="module")
def he():
    from grader.grading.setup import get_grader

    bundle = load_bundle(bundle_folders()["initialization"])
    check = next(c for c in bundle.model_checks if c.id == "he")
    reference = get_grader().expected_for(bundle).models["he"]
    run = FunctionRun(check.driver, "ok", cases=[CaseRun("he", "ok", value=reference)])
    return check, run, reference


def test_a_passed_model_check_carries_no_failure_hint_even_when_a_function_it_uses_failed(he):
    check, run, reference = he
    report, _ = model_report(check, run, reference, failed_functions=set(check.depends_on))
    assert report.status == "passed" and report.hint is None
    assert not any("fix" in c["message"] for c in report.checks)


def test_a_model_check_says_what_it_is_and_that_it_is_worth_no_points(he):
    check, run, reference = he
    report, _ = model_report(check, run, reference, failed_functions=set())
    assert check.points == 0
    assert report.about.startswith("A model check: the course's model is trained with your functions")
    assert "worth 0 points" in report.about and "does not change your score" in report.document()["about"]


def test_the_plots_facts_are_text_and_their_titles_fit(he):
    check, run, reference = he
    report, images = model_report(check, run, reference, failed_functions=set())
    assert set(images) == {"cost", "boundary"} == set(report.plot_alt)
    final = f"{reference[1][-1]:.4g}"
    assert report.plot_alt["cost"] == (f"Cost over training, {check.title}: your functions end at {final}; "
                                       f"the reference ends at {final}.")
    assert f"train accuracy {report.metrics['train_accuracy']:.1%}" in report.plot_alt["boundary"]
    long_title = "3-layer model with L2 regularization (lambd = 0.7): decision boundary"
    assert all(len(line) <= TITLE_CHARS for line in model_checks._title(long_title).split("\n"))
    assert model_checks._title(long_title).replace("\n", " ") == long_title


def test_the_reference_cost_line_shows_beneath_the_students(he, monkeypatch):
    check, run, reference = he
    figures = []
    real_png = model_checks._png
    monkeypatch.setattr(model_checks, "_png", lambda figure: figures.append(figure) or real_png(figure))
    model_report(check, run, reference, failed_functions=set())
    reference_line, student_line = figures[0].axes[0].lines
    assert reference_line.get_label() == "reference" and student_line.get_label() == "your functions"
    assert reference_line.get_zorder() < student_line.get_zorder()
    assert reference_line.get_linewidth() >= 3 * student_line.get_linewidth()  # wider: seen around an equal line
