"""Exercise generators: each turns a tutorial into practice tasks, or declines.

A generator is a pure function `Document -> list[Exercise]` (labels unset);
it returns [] when the tutorial gives it nothing sensible to work with. The
`exercises` pass picks among what they offer and numbers the labels.
"""
