#!/usr/bin/env bash
# A single-node Slurm cluster on this machine, for the integration tests and for trying the job scripts in
# docs/scale.md: munge, slurmctld and slurmd, all run as root, one node named after `hostname -s` with all its
# CPUs, process tracking by /proc (no cgroups, so it also works in containers), MpiDefault=pmix when Slurm's PMIx
# plugin is installed. Needs root (apt-get install when Slurm or munge is missing).
#
#   scripts/local-slurm.sh start    install when missing, write /etc/slurm/slurm.conf, start the daemons, wait for the node
#   scripts/local-slurm.sh stop     stop the daemons (the configuration stays)
#   scripts/local-slurm.sh status   daemons and node state; exit 0 when the node takes jobs
set -euo pipefail

state=/var/spool/segan-slurm
logs=/var/log/segan-slurm
run=/run/segan-slurm
conf=/etc/slurm/slurm.conf
marker="# written by SegAN.NET scripts/local-slurm.sh"
host=$(hostname -s)

die() { echo "local-slurm: $*" >&2; exit 1; }

install_missing() {
  local need=()
  command -v munged >/dev/null 2>&1 || need+=(munge)
  command -v slurmctld >/dev/null 2>&1 || need+=(slurmctld)
  command -v slurmd >/dev/null 2>&1 || need+=(slurmd)
  command -v sbatch >/dev/null 2>&1 || need+=(slurm-client)
  compgen -G "/usr/lib/*/libpmix.so" >/dev/null || need+=(libpmix-dev)
  if [ ${#need[@]} -gt 0 ]; then
    echo "local-slurm: installing ${need[*]}"
    apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
  fi
}

write_config() {
  if [ -f "$conf" ] && ! grep -qF "$marker" "$conf"; then
    die "$conf exists and was not written by this script; not touching a real cluster's configuration"
  fi
  local mpi=none
  # Slurm's PMIx plugin dlopens the unversioned libpmix.so (Debian: libpmix-dev); without it every srun fails.
  if compgen -G "/usr/lib/*/slurm-wlm/mpi_pmix.so" >/dev/null && compgen -G "/usr/lib/*/libpmix.so" >/dev/null; then mpi=pmix; fi
  mkdir -p "$(dirname "$conf")" "$state/ctld" "$state/d" "$logs" "$run"
  cat > "$conf" <<CONF
$marker
ClusterName=segan-local
SlurmctldHost=$host(127.0.0.1)
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
StateSaveLocation=$state/ctld
SlurmdSpoolDir=$state/d
SlurmctldPidFile=$run/slurmctld.pid
SlurmdPidFile=$run/slurmd.pid
SlurmctldLogFile=$logs/slurmctld.log
SlurmdLogFile=$logs/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
MpiDefault=$mpi
ReturnToService=2
SchedulerType=sched/backfill
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
SlurmctldTimeout=30
SlurmdTimeout=30
NodeName=$host NodeAddr=127.0.0.1 CPUs=$(nproc) State=UNKNOWN
PartitionName=local Nodes=$host Default=YES MaxTime=INFINITE State=UP
CONF
}

running() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }

node_ready() { sinfo -h -n "$host" -o %T 2>/dev/null | grep -Eq '^(idle|mixed|allocated)'; }

start() {
  [ "$(id -u)" = 0 ] || die "start needs root (it installs packages and runs the daemons as root)"
  install_missing
  write_config
  mkdir -p /run/munge /var/log/munge /var/lib/munge
  chown munge:munge /run/munge /var/log/munge /var/lib/munge 2>/dev/null || true
  [ -f /etc/munge/munge.key ] || { dd if=/dev/urandom of=/etc/munge/munge.key bs=1 count=1024 status=none; chown munge:munge /etc/munge/munge.key; chmod 400 /etc/munge/munge.key; }
  if ! running /run/munge/munged.pid; then
    runuser -u munge -- /usr/sbin/munged
  fi
  # Restarted on every start: they read slurm.conf and load their plugins only when they start.
  stop_slurm
  slurmctld
  slurmd
  for _ in $(seq 1 60); do
    if node_ready; then
      echo "local-slurm: node $host ready ($(nproc) CPUs, MpiDefault $(sed -n 's/^MpiDefault=//p' "$conf"))"
      return 0
    fi
    # A node left down by an earlier session comes back once slurmd answers.
    scontrol update NodeName="$host" State=RESUME >/dev/null 2>&1 || true
    sleep 1
  done
  tail -n 20 "$logs/slurmctld.log" "$logs/slurmd.log" >&2 || true
  die "node $host did not become ready in 60 s (logs above)"
}

stop_pid() {
  if running "$1"; then
    local pid
    pid=$(cat "$1")
    kill "$pid"
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.1; done
  fi
}

stop_slurm() {
  stop_pid "$run/slurmd.pid"
  stop_pid "$run/slurmctld.pid"
}

stop() {
  stop_slurm
  stop_pid /run/munge/munged.pid
  echo "local-slurm: stopped"
}

status() {
  local ok=0
  for d in munged:/run/munge/munged.pid slurmctld:$run/slurmctld.pid slurmd:$run/slurmd.pid; do
    if running "${d#*:}"; then echo "${d%%:*}: running"; else echo "${d%%:*}: stopped"; ok=1; fi
  done
  if node_ready; then sinfo -N -n "$host" 2>/dev/null; else echo "node $host: not ready"; ok=1; fi
  return $ok
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) status ;;
  *) echo "usage: $0 start|stop|status" >&2; exit 2 ;;
esac
