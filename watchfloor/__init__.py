"""watchfloor: news about conflicts and crises in, grounded stories and judgments out."""

__version__ = "0.1.0"
