#!/usr/bin/env bash
# Starts the action server, then Rasa in the foreground; stopping Rasa (Ctrl-C) stops both.
#   scripts/run.sh serve          REST channel on :5005 (and the HTTP API), actions on :5055
#   scripts/run.sh chat USER_ID   a conversation in this terminal as USER_ID
set -euo pipefail
cd "$(dirname "$0")/.."
mode=${1:-serve}
venv=.venv/bin
export RASA_TELEMETRY_ENABLED=false PYTHONWARNINGS=ignore TF_CPP_MIN_LOG_LEVEL=3 SQLALCHEMY_SILENCE_UBER_WARNING=1
mkdir -p var

# The schema is brought up to date here, once, before any server starts (the servers never migrate).
"$venv/python" -m bot migrate >/dev/null || { echo "The database could not be migrated (see above)." >&2; exit 1; }

actions_port=${ACTIONS_PORT:-5055}
if (exec 3<>"/dev/tcp/127.0.0.1/$actions_port") 2>/dev/null; then
  echo "Port $actions_port is already in use (another action server?). Stop it first." >&2
  exit 1
fi
# The key Rasa sends the action server (endpoints.yml), derived from the server's secret.
COMMON_GROUND_ACTIONS_TOKEN=$("$venv/python" -m actions token)
export COMMON_GROUND_ACTIONS_TOKEN
"$venv/python" -m actions --port "$actions_port" >var/actions.log 2>&1 &
actions_pid=$!
rasa_pid=
# Whatever ends this script (Ctrl-C, kill, or the terminal closing: a hang-up) stops both servers.
stop() { kill $rasa_pid $actions_pid 2>/dev/null; wait $rasa_pid $actions_pid 2>/dev/null || true; }
trap stop EXIT
trap 'exit 129' HUP
trap 'exit 130' INT
trap 'exit 143' TERM
for _ in $(seq 1 120); do
  (exec 3<>"/dev/tcp/127.0.0.1/$actions_port") 2>/dev/null && break
  kill -0 $actions_pid 2>/dev/null || { echo "The action server failed to start; see var/actions.log" >&2; exit 1; }
  sleep 0.5
done

model=models/common-ground.tar.gz
if [ "$mode" = chat ]; then
  user=${2:-$(whoami)}
  echo "Loading the assistant (about 20 seconds)... You are '$user'; your answers are saved under that id."
  echo "Type your messages; /stop or Ctrl-C ends the chat. Try: hi"
  # In the background with this terminal as its input, so a signal reaches the trap at once (bash runs
  # traps only between commands, and `wait` is interruptible where a foreground command is not).
  exec 3<&0
  # Only this machine can reach the shell's server (it listens for the terminal's messages on :5005).
  "$venv/rasa" shell --model "$model" --endpoints endpoints.yml --conversation-id "$user" --quiet \
    --interface 127.0.0.1 <&3 2>var/rasa.log &
  rasa_pid=$!
else
  public=${COMMON_GROUND_PUBLIC_URL:-http://localhost:5005}
  echo "Web page: $public/webhooks/web/   REST: POST $public/webhooks/rest/webhook {\"message\": \"...\"}"
  echo "  with \"Authorization: Bearer \$(.venv/bin/python -m bot token --user ID)\"; HTTP API: ?token=\$(.venv/bin/python -m bot token --api)"
  # Rasa's HTTP API only with its token (derived from the server's secret); browsers may call it only
  # from the public URL's origin. RASA_INTERFACE=127.0.0.1 keeps the server to this machine.
  "$venv/rasa" run --model "$model" --endpoints endpoints.yml --credentials credentials.yml \
    --enable-api --auth-token "$("$venv/python" -m bot token --api)" --cors "${public%/}" \
    --interface "${RASA_INTERFACE:-0.0.0.0}" --port "${RASA_PORT:-5005}" &
  rasa_pid=$!
fi
wait $rasa_pid
