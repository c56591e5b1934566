"""`python -m kam.tooling.bench`: the benchmark's command line, and its child processes (`--child`)."""
import sys

from kam.tooling.bench import main

sys.exit(main())
