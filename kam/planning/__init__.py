"""The planners' models: staffing what-if, named scenarios, rebalancing (integer program) and the
management-model matrix. Their figures still come from SQL; imports kam.figures and kam.storage."""
