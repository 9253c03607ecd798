"""Implications: a library of analytic patterns over the situation and the story, ICD 203 likelihood, a linter,
scoring against later reports, what changed between briefs, and an optional model-based writer.

``engine.assess_story(story, situation, sources)`` returns linted ``Implication`` records;
``stage.assess_stories`` is the pipeline stage that keeps them current as reports arrive.
"""
