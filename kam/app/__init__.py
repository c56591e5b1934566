"""What the pages share: the page context (ui), formatting, charts, downloads, translations and
login. Imports kam.planning, kam.figures and kam.storage; never a page."""
