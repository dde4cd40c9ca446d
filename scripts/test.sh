#!/usr/bin/env bash
# `npm test`: every package built first, then type-checked and tested two at a time. Built first because turbo has no
# task priorities: the gateway's suite (the longest) waited for builds of its chain queued behind other packages'
# suites (docs/operations.md, "Where CI's time goes"). A failure hides nothing: both steps go on past failed tasks
# (`--continue=dependencies-successful`), and the exit status is non-zero if either failed. Arguments (`--summarize`,
# `--force`, filters) go to both.
set -uo pipefail
export TURBO_TELEMETRY_DISABLED=1
status=0
turbo run build --output-logs=errors-only --continue=dependencies-successful "$@" || status=$?
turbo run typecheck test --concurrency=2 --continue=dependencies-successful "$@" || status=$?
exit "$status"
