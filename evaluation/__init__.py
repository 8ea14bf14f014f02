"""Evaluation (综合评价) and the satisfaction callback (回访): step 7 of the closed loop.

A subscriber of the domain's events (`governance.subscribers`): it keeps the facts every
indicator is counted from, current as cases move, and never changes a case itself except
through the workflow's named functions.
"""
