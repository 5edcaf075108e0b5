#!/usr/bin/env bash
# Brings up a single-node Slurm (Debian's slurm-wlm and munge) on this machine for
# `make slurm-check`: one controller and one compute node, both this host, configured in a
# private folder (SLURM_CONF points there), run as root. Idempotent: a running cluster is reused.
# Prints the `export SLURM_CONF=…` line the caller needs.
set -euo pipefail
state=${SLURM_STATE:-/tmp/segscore-slurm}
conf=$state/slurm.conf
host=$(hostname -s)
cpus=$(nproc)
memory=$(awk '/MemTotal/ {print int($2 / 1024 * 0.8)}' /proc/meminfo)
mkdir -p "$state"/{spool,ctld,log}

if [ ! -s /etc/munge/munge.key ]; then
    mkdir -p /etc/munge
    dd if=/dev/urandom bs=1 count=1024 of=/etc/munge/munge.key status=none
fi
chown -R munge:munge /etc/munge /var/lib/munge /var/log/munge 2>/dev/null || true
mkdir -p /run/munge && chown munge:munge /run/munge
chmod 0400 /etc/munge/munge.key
pgrep -x munged >/dev/null || runuser -u munge -- /usr/sbin/munged

cat >"$conf.new" <<CONF
ClusterName=segscore
SlurmctldHost=$host
SlurmUser=root
AuthType=auth/munge
StateSaveLocation=$state/ctld
SlurmdSpoolDir=$state/spool
SlurmctldPidFile=$state/slurmctld.pid
SlurmdPidFile=$state/slurmd.pid
SlurmctldLogFile=$state/log/slurmctld.log
SlurmdLogFile=$state/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
ReturnToService=2
MaxArraySize=1001
NodeName=$host CPUs=$cpus RealMemory=$memory State=UNKNOWN
PartitionName=debug Nodes=$host Default=YES MaxTime=INFINITE State=UP
CONF
if ! cmp -s "$conf.new" "$conf"; then
    mv "$conf.new" "$conf"
    pkill -x slurmctld 2>/dev/null || true
    pkill -x slurmd 2>/dev/null || true
    sleep 1
else
    rm -f "$conf.new"
fi
export SLURM_CONF=$conf
pgrep -x slurmctld >/dev/null || /usr/sbin/slurmctld -f "$conf"
pgrep -x slurmd >/dev/null || /usr/sbin/slurmd -f "$conf"
for _ in $(seq 1 60); do
    if sinfo --noheader -o '%t' 2>/dev/null | grep -q -E '^(idle|mix|alloc)'; then
        echo "export SLURM_CONF=$conf"
        exit 0
    fi
    scontrol update nodename="$host" state=resume >/dev/null 2>&1 || true
    sleep 1
done
echo "slurm-up: the node did not become idle; see $state/log/" >&2
sinfo >&2 || true
exit 1
