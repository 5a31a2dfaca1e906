"""The fix pipeline: recall -> prepare -> generate -> select, then a PR (or a local branch) written from the evidence.

The same code serves the `fix_issue` job (bot/jobs/fix.py) and local mode (`organic-pr fix PATH`, local.py).
"""
