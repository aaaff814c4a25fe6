"""Model-level checks, judged outside the sandbox: accuracies from the returned parameters, plots, thresholds.

The `classifier` kind is the one kind today; grader.grading.classifier holds its arithmetic.
"""
from __future__ import annotations

import io
import logging
import textwrap

import numpy as np

from assignments.bundle import ModelCheck
from grader.grading import classifier, environment, messages
from grader.grading.feedback import ERROR, FAILED, PASSED, TIMEOUT, FunctionReport

log = logging.getLogger(__name__)
TITLE_CHARS = 48  # characters of a plot title's line at TITLE_POINTS on a 5-inch figure
TITLE_POINTS = 10
REFERENCE_WIDTH = 6.0  # points: the reference's line, drawn under the student's 1.6


def model_report(check: ModelCheck, run, reference: dict | None, failed_functions: set[str],
                 versions: dict | None = None) -> tuple[FunctionReport, dict[str, bytes]]:
    """One model check: its report (with what the check is and is worth, `about`), and its images (PNG bytes by
    name, their facts as text in `plot_alt`). versions: the sandbox's Python and NumPy (Extraction.environment),
    which let an error the environment explains (grader/grading/environment.py) get its reason."""
    report, images = _model_report(check, run, reference, failed_functions, versions or {})
    worth = (messages.say("model_worth", points=float(check.points)) if check.points
             else messages.say("model_worth_none"))
    report.about = f"{messages.say('model_about')} {worth}"
    return report, images


def _model_report(check: ModelCheck, run, reference: dict | None, failed_functions: set[str],
                  versions: dict) -> tuple[FunctionReport, dict[str, bytes]]:
    points = float(check.points)
    case_run = next((c for c in (run.cases if run else []) if c.id == check.id), None)
    blame = sorted(set(check.depends_on) & failed_functions)
    follows = f" This follows from {', '.join(blame)} failing above; fix {'it' if len(blame) == 1 else 'them'} first." if blame else ""
    if case_run is None or case_run.status != "ok":
        status = TIMEOUT if (case_run and case_run.status == "timeout") or (run and run.status == "timeout") else ERROR
        if case_run is not None and case_run.status == "error" and case_run.error:
            what = f"training raised {case_run.error.get('type')}: {str(case_run.error.get('message'))[:300]}"
        elif status == TIMEOUT:
            what = f"training did not finish within {check.wall_s:g} s"
        else:
            what = "training stopped before returning parameters"
        message = f"{check.title}: {what}.{follows}"
        explained = None
        if case_run is not None and case_run.status == "error" and case_run.error:
            frames = case_run.error.get("traceback") or [{}]
            explained = environment.explain(str(case_run.error.get("type")), str(case_run.error.get("message")),
                                            versions, str(frames[-1].get("source", "")))
        if explained:
            message += f" {messages.say(explained[0], **explained[1])}"
        return FunctionReport(check.id, status, 0.0, points, [{"name": "trains", "passed": False, "message": message}],
                              summary=message, output=run.output if run else "",
                              hint=messages.hint(explained[0], **explained[1]) if explained else None), {}
    parameters, costs = unpack(case_run.value)
    if parameters is None:
        message = f"{check.title}: training returned parameters the grader cannot use.{follows}"
        return FunctionReport(check.id, ERROR, 0.0, points, [{"name": "trains", "passed": False, "message": message}],
                              summary=message), {}
    try:
        metrics = classifier.evaluate(check, parameters)
    except classifier.ParametersRejected as error:
        message = f"{check.title}: the trained parameters do not fit the model ({error}).{follows}"
        return FunctionReport(check.id, ERROR, 0.0, points, [{"name": "evaluate", "passed": False, "message": message}],
                              summary=message), {}
    except Exception as error:  # never crash on what the sandbox returned
        message = f"{check.title}: the trained parameters could not be evaluated ({type(error).__name__}: {error}).{follows}"
        return FunctionReport(check.id, ERROR, 0.0, points, [{"name": "evaluate", "passed": False, "message": message}],
                              summary=message), {}
    checks = []
    for threshold in check.thresholds:
        measured = metrics.get(threshold.metric, float("nan"))
        ok = threshold.holds(measured)
        text = f"{check.title}: {threshold.metric.replace('_', ' ')} {measured:.4f} (needs {threshold.op} {threshold.value:g}"
        text += f"; {threshold.why})" if threshold.why else ")"
        checks.append({"name": threshold.metric, "passed": ok, "message": text + ("" if ok else follows)})
    status = PASSED if all(c["passed"] for c in checks) else FAILED
    summary = f"{sum(c['passed'] for c in checks)} of {len(checks)} checks passed."
    report = FunctionReport(check.id, status, points if status == PASSED else 0.0, points, checks,
                            summary=summary, hint=(follows.strip() or None) if status != PASSED else None)
    report.metrics = metrics  # type: ignore[attr-defined]
    images = {}
    reference_costs = unpack(reference)[1] if reference is not None else None
    try:
        images = {} if not check.plot else _plots(check, parameters, costs, reference_costs)
    except Exception:  # a plot is a nicety; its failure must not cost the verdict
        log.exception("model plot failed", extra={"check": check.id})
    report.plot_alt = plot_alt(check, costs, reference_costs, metrics, images)
    return report, images


def plot_alt(check: ModelCheck, costs: list[float], reference_costs: list[float] | None, metrics: dict,
             images: dict) -> dict[str, str]:
    """Each plot's facts as text, for a screen reader and for anyone the image does not reach: the final cost of
    the student's training and of the reference's, and the accuracies measured."""
    alt = {}
    if "cost" in images:
        alt["cost"] = messages.say("plot_cost_alt", title=check.title,
                                   final=f"{costs[-1]:.4g}" if costs else "no recorded cost",
                                   reference=f"{reference_costs[-1]:.4g}" if reference_costs else "(not recorded)")
    if "boundary" in images:
        accuracy = ", ".join(f"{name.replace('_', ' ')} {value:.1%}" for name, value in metrics.items())
        alt["boundary"] = messages.say("plot_boundary_alt", title=check.title, accuracy=accuracy or "no accuracy measured")
    return alt


def unpack(value):
    if isinstance(value, (tuple, list)) and len(value) == 2 and isinstance(value[0], dict):
        parameters = {k: v for k, v in value[0].items() if isinstance(v, np.ndarray) and v.dtype.kind in "biuf"}
        costs = [float(c) for c in value[1] if isinstance(c, (int, float))] if isinstance(value[1], (list, tuple)) else []
        if len(parameters) == len(value[0]):
            return parameters, costs
    return None, []


def _plots(check: ModelCheck, parameters: dict, costs: list[float], reference_costs: list[float] | None) -> dict[str, bytes]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    images = {}
    figure, axis = plt.subplots(figsize=(5, 3.2), dpi=100)
    if reference_costs:  # wide and pale beneath, so it shows around the student's line where the two agree
        axis.plot(reference_costs, label="reference", color="#9a6700", linewidth=REFERENCE_WIDTH, alpha=0.45,
                  solid_capstyle="round", zorder=1)
    axis.plot(costs, label="your functions", color="#1a7f37", linewidth=1.6, zorder=2)
    axis.set_xlabel("recorded step")
    axis.set_ylabel("cost")
    axis.set_title(_title(f"{check.title}: cost"), fontsize=TITLE_POINTS)
    axis.legend()
    images["cost"] = _png(figure)
    X, Y = classifier.read_data(check.train)
    if X.ndim == 2 and X.shape[0] == 2:
        x_min, x_max = X[0].min() - 1, X[0].max() + 1
        y_min, y_max = X[1].min() - 1, X[1].max() + 1
        xx, yy = np.meshgrid(np.linspace(x_min, x_max, 200), np.linspace(y_min, y_max, 200))
        checked = classifier.checked_parameters(check, parameters)
        labels = classifier.predict(check, checked, np.c_[xx.ravel(), yy.ravel()].T).reshape(xx.shape)
        figure, axis = plt.subplots(figsize=(5, 3.6), dpi=100)
        axis.contourf(xx, yy, labels, cmap=plt.cm.Spectral, alpha=0.8)
        axis.scatter(X[0], X[1], c=np.ravel(Y), cmap=plt.cm.Spectral, s=12, edgecolors="k", linewidths=0.3)
        axis.set_title(_title(f"{check.title}: decision boundary"), fontsize=TITLE_POINTS)
        images["boundary"] = _png(figure)
    plt.close("all")
    return images


def _title(text: str) -> str:
    """A title wrapped to the figure's width, so no word is cut off at its edge."""
    return "\n".join(textwrap.wrap(text, TITLE_CHARS)) or text


def _png(figure) -> bytes:
    buffer = io.BytesIO()
    figure.tight_layout()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()
