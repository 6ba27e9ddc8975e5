"""Findings over time: observations from snapshots, the rectification lifecycle, human review, scores.

The layer joining persistence (store) and judgement (rules): it reads snapshots, runs rules and
keeps each finding's history, so neither the crawler nor the rules need to know the other.
"""
