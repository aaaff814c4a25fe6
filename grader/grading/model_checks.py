"""Model-level checks, judged outside the sandbox: accuracies from the returned parameters, plots, thresholds.

The `classifier` kind is the one kind today; grader.grading.classifier holds its arithmetic.
"""
from __future__ import annotations

import io
import logging

import numpy as np

from assignments.bundle import ModelCheck
from grader.grading import classifier
from grader.grading.feedback import ERROR, FAILED, PASSED, TIMEOUT, FunctionReport

log = logging.getLogger(__name__)


def model_report(check: ModelCheck, run, reference: dict | None, failed_functions: set[str]) -> tuple[FunctionReport, dict[str, bytes]]:
    """One model check: its report, and its images (PNG bytes by name)."""
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
        return FunctionReport(check.id, status, 0.0, points, [{"name": "trains", "passed": False, "message": message}],
                              summary=message, output=run.output if run else ""), {}
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
                            summary=summary, hint=follows.strip() or None)
    report.metrics = metrics  # type: ignore[attr-defined]
    images = {}
    try:
        images = {} if not check.plot else _plots(check, parameters, costs, unpack(reference)[1] if reference is not None else None)
    except Exception:  # a plot is a nicety; its failure must not cost the verdict
        log.exception("model plot failed", extra={"check": check.id})
    return report, images


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
    if reference_costs:
        axis.plot(reference_costs, label="reference", color="#888888", linestyle="--")
    axis.plot(costs, label="your functions", color="#2da44e")
    axis.set_xlabel("recorded step")
    axis.set_ylabel("cost")
    axis.set_title(f"{check.title}: cost")
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
        axis.set_title(f"{check.title}: decision boundary")
        images["boundary"] = _png(figure)
    plt.close("all")
    return images


def _png(figure) -> bytes:
    buffer = io.BytesIO()
    figure.tight_layout()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()
