"""The background queues, by how long their work may wait (pure: settings read it).

Each task names its queue; `glapp worker` processes them all by default and runs
`TIME_CRITICAL` in a loop of its own, so a promise made to a customer (an invitation due now,
a webhook) never waits behind a backlog of comment analyses. A deployment that wants more
can run a worker per queue (`glapp worker --queue-name analysis`)."""

DEFAULT = "default"  # housekeeping, rollup recounts
TIME_CRITICAL = "time_critical"  # invitation dispatch (every 30 s); webhook delivery and its sweep
IMPORTS = "imports"  # file imports someone is watching
ANALYSIS = "analysis"  # comment analysis and model training: large, and fine to wait

ALL = [DEFAULT, TIME_CRITICAL, IMPORTS, ANALYSIS]

# Within one loop the database queue runs the highest priority first: an import someone is
# watching goes before a backlog of analyses, housekeeping in between.
IMPORT_PRIORITY = 10
ANALYSIS_PRIORITY = -10
