"""pyspark's SQL exceptions (``pyspark.errors`` / ``pyspark.sql.utils``).

``AnalysisException``: a query that cannot be analysed (an unknown column, table or function,
mismatched types). ``ParseException``: SQL text that does not parse; the message shows where.
"""

from ember._ember import AnalysisException, ParseException

__all__ = ["AnalysisException", "ParseException"]
