"""Runners: per language, whether a block runs through its magic, and in what form.

Each module has `judge(code, earlier) -> Verdict`, a pure function of the
block's text and the code of the blocks of the same language that ran before it
(blocks that build on each other get the definitions they use from those).
`converter.runtimes` holds the table; `converter.passes.runnability` calls these.
"""
