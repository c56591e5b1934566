"""Tooling that is not the product: the sample province generator, the benchmark with its pandas
twin, and the Spark SQL runner of the portability test. Nothing in the product imports it except
`kam sample` in the command line."""
