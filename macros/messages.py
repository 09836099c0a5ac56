"""What every ribbon macro shares: the status bar and a message for a failure that
is not a data problem (a one-line reason, never a Python traceback)."""

from __future__ import annotations


def status(app, text: str | bool) -> None:
    """Show *text* in Excel's status bar (``False`` gives it back to Excel)."""
    try:
        app.status_bar = text
    except Exception:  # an engine without a status bar (xlwings Server) just skips it
        pass


def failure_text(action: str, exc: BaseException) -> str:
    """The message for an unexpected failure of *action*: what failed, the reason in
    one line, and what to do."""
    reason = " ".join(str(exc).split()) or type(exc).__name__
    return (f"{action} failed: {reason} ({type(exc).__name__}).\n\n"
            "Nothing more was changed. Run 'coverbook doctor' in a terminal in the "
            "coverbook folder: it checks Python, xlwings, the add-in and the data folder "
            "and says how to fix each problem.")


def show_failure(app, title: str, action: str, exc: BaseException) -> str:
    """Show :func:`failure_text` in a message box; return it."""
    message = failure_text(action, exc)
    try:
        app.alert(message, title=title, mode="critical")
    except Exception:  # no Excel to show it in: the caller still gets the text
        pass
    return message
