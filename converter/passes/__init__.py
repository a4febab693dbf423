"""Passes: pure functions over the model, applied in the order `pipeline` lists.

Besides the course, passes see two more inputs, as values: the declared course
environment (what notebooks can import) and what the last `course check`
proved (findings.json). Nothing else: no installed packages, no tutorial code run.

The pipeline, the passes in their order, is in `pipeline`. Importing it imports every pass
(a sixth of a second; the exercise generators come when exercises are made), so this package
gives its names on first use: convert imports them while its workers read the sources, and a
command that needs no pass (or one pass's helpers) does not pay for them.
"""

_PIPELINE = frozenset({"passes", "course_passes", "prepare", "run_course_passes", "run_passes",
                       "DocumentPass", "CoursePass"})


def __getattr__(name: str) -> object:  # PEP 562: the pipeline's names, imported when first asked for
    if name in _PIPELINE:
        from . import pipeline

        return getattr(pipeline, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
