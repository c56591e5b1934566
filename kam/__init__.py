"""KAM Cockpit: what SQL should not do, in layers that only import downwards.

    kam.cli       the command line (kam ingest | report | sample | app)
    kam.tooling   not the product: the sample generator, the benchmark and its pandas twin, the Spark runner
    kam.app       what the pages share: the page context, formatting, charts, downloads, translations, login
    kam.planning  the planners' models: staffing what-if, scenarios, rebalancing, management-model matrix
    kam.figures   SQL loading, the query layer and the viewer's scope, reports, periods, settings
    kam.storage   the export contract: schema, readers, uploads, masking, the warehouse and its refresh

tests/test_layers.py reads every import and fails when one points up this list.
"""
