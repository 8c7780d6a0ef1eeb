"""The HTML report on a result directory, and the reading of result directories it shares."""

from inputguard._report.data import Quarantine, load_quarantine
from inputguard._report.html import build_report

__all__ = ["Quarantine", "build_report", "load_quarantine"]
