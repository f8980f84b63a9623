#!/usr/bin/env bash
# Stop the single-node cluster by PID (never by process name), as shared/slurm-single-node.md says.
set -uo pipefail
pids=()
for f in /run/slurmctld.pid /run/slurmd.pid; do
  [ -s "$f" ] && pids+=("$(cat "$f")")
done
scontrol shutdown >/dev/null 2>&1 || true
for pid in "${pids[@]}"; do
  for _ in $(seq 30); do kill -0 "$pid" 2>/dev/null || break; sleep 1; done
  kill -0 "$pid" 2>/dev/null && kill "$pid" 2>/dev/null
done
rm -f /run/slurmctld.pid /run/slurmd.pid
if [ -s /run/munge/munged.pid ]; then
  kill "$(cat /run/munge/munged.pid)" 2>/dev/null || true
fi
echo "SLURM down"
