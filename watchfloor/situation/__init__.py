"""Situation state per theatre: control of places, front lines, alignments, figures over time, activity.

``state.build_situation`` builds it from events, figures and report text; ``load.situation_from_store`` reads
a theatre's inputs from the store first.
"""
