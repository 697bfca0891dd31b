"""Ember's ``pyspark.sql``: SparkSession, DataFrame, Column, Row, types and functions.

DataFrames are DataFusion plans run by Ember's scheduler (see ``python/README.md``).
"""
