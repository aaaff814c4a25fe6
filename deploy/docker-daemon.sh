#!/usr/bin/env bash
# Starts Debian's dockerd with no bridge network when no daemon answers; a second run only checks.
# Usage: deploy/docker-daemon.sh [start|status]
set -euo pipefail

DOCKER=${DOCKER:-/usr/bin/docker}   # the docker.io client: it speaks the 20.10 daemon's API
DOCKERD=${DOCKERD:-/usr/sbin/dockerd}
LOG=${DOCKERD_LOG:-/var/log/gradebox-dockerd.log}
WAIT_S=${DOCKERD_WAIT_S:-60}

answers() { "$DOCKER" version --format '{{.Server.Version}}' >/dev/null 2>&1; }

case "${1:-start}" in
  status)
    if answers; then echo "docker daemon answers: $("$DOCKER" version --format '{{.Server.Version}}')"; exit 0; fi
    echo "no docker daemon answers"; exit 1 ;;
  start) ;;
  *) echo "usage: $0 [start|status]" >&2; exit 2 ;;
esac

if answers; then
  echo "docker daemon already answers ($("$DOCKER" version --format '{{.Server.Version}}'))"
  exit 0
fi
if [ ! -x "$DOCKERD" ]; then
  echo "no $DOCKERD: install Debian's docker.io (make docker)" >&2
  exit 1
fi
if command -v systemctl >/dev/null 2>&1 && [ -d /run/systemd/system ]; then
  # A systemd host: keep the packaged unit but without a bridge, via a drop-in.
  mkdir -p /etc/docker
  if [ ! -f /etc/docker/daemon.json ]; then
    printf '{\n  "bridge": "none",\n  "iptables": false,\n  "ip-masq": false\n}\n' > /etc/docker/daemon.json
  fi
  systemctl start docker || true
fi
if ! answers; then
  mkdir -p "$(dirname "$LOG")"
  echo "starting dockerd (no bridge, no iptables); log: $LOG"
  # setsid + nohup: the daemon must outlive this script and the CI shell that ran it.
  setsid nohup "$DOCKERD" --bridge=none --iptables=false --ip-masq=false --storage-driver=overlay2 \
    >>"$LOG" 2>&1 < /dev/null &
fi
for _ in $(seq 1 "$WAIT_S"); do
  if answers; then
    echo "docker daemon answers ($("$DOCKER" version --format '{{.Server.Version}}'))"
    exit 0
  fi
  sleep 1
done
echo "dockerd did not answer within ${WAIT_S}s; last lines of $LOG:" >&2
tail -n 30 "$LOG" >&2 || true
exit 1
