"""Figures: SQL files under queries/ loaded and bound, the query layer with the viewer's scope,
`kam report` tables, periods and settings. Imports kam.storage only."""
