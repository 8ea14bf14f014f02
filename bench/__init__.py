"""City-scale benchmarks: a synthetic city in the database, then measured figures.

`python -m bench run --scale small|medium|full` builds the city into the database named by
DATABASE_URL and prints every figure with its target and its baseline; see BENCHMARKS.md.
"""
