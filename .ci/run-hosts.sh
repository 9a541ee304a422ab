# Sourced by run.sh for --hosts N: runs N silos on this machine as one cluster, each with
# its own engine and data (home_of, engine_of), until Ctrl-C or TERM, which stop the silos
# (their sandboxes keep running). Host I listens for gRPC on 5005(1+I-1), for HTTP on
# 5008(0+I-1), for silo traffic on 11111+I-1 and as a gateway on 30000+I-1. Each silo logs to
# its home's silo.log (the previous run's is silo.log.1).

# One secret the silos of the cluster share: 32 random bytes, base64, readable by root only.
cluster_secret() {
  local file="$SANDBOXES_HOME/cluster.secret"
  if [[ ! -s "$file" ]]; then
    (umask 077 && head -c 32 /dev/urandom | base64 >"$file.new" && mv -f "$file.new" "$file")
  fi
  chmod 0600 "$file"
  echo "$file"
}

# Starts host $1's silo in the background; its pid goes to silo_pids[$1].
start_silo() {
  local i="$1" home log; shift
  home="$(home_of "$i")"
  log="$home/silo.log"
  [[ ! -e "$log" ]] || mv -f "$log" "$log.1"
  dotnet "$silo" \
    --Sandboxes:DataRoot="$home" \
    --Sandboxes:DockerEndpoint="$(engine_of "$i")" \
    --Sandboxes:AgentDirectory="$SANDBOXES_HOME/agent" \
    --Sandboxes:HostName="h$i" \
    --Sandboxes:SiloPort=$((11111 + i - 1)) \
    --Sandboxes:GatewayPort=$((30000 + i - 1)) \
    --Sandboxes:GrpcUrl="http://127.0.0.1:$((50051 + i - 1))" \
    --Sandboxes:HttpUrl="http://127.0.0.1:$((50080 + i - 1))" \
    --Sandboxes:ClusterSecretFile="$secret" \
    "$@" >"$log" 2>&1 </dev/null &
  silo_pids[i]=$!
}

# Waits up to 120 s for host $1's silo to log that it is ready; fails at once if it exits.
wait_ready() {
  local i="$1" deadline=$((SECONDS + 120)) log
  log="$(home_of "$i")/silo.log"
  until grep -q 'Sandboxes silo ready' "$log" 2>/dev/null; do
    if ! kill -0 "${silo_pids[i]}" 2>/dev/null || (( SECONDS >= deadline )); then
      tail -n 30 "$log" >&2 || true
      echo "run.sh: silo h$i did not get ready (it exited, or 120 s passed); see $log" >&2
      return 1
    fi
    sleep 0.5
  done
}

# TERM to every silo still running; KILL to those still there 30 s later.
stop_silos() {
  local pid deadline=$((SECONDS + 30))
  for pid in "${silo_pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${silo_pids[@]}"; do
    while kill -0 "$pid" 2>/dev/null && (( SECONDS < deadline )); do sleep 0.2; done
    kill -KILL "$pid" 2>/dev/null || true
  done
  echo "silos: stopped; sandboxes keep running"
}

run_hosts() {
  local i status=0
  silo_pids=()
  secret="$(cluster_secret)"
  trap 'echo; echo "silos: stopping ..."; stop_silos; exit 130' INT
  trap 'stop_silos; exit 143' TERM
  # Host 1 first, alone: on a first start it creates the tables and mints the admin key,
  # which the other hosts then find in storage rather than each minting their own.
  echo "silos: starting h1 ..."
  start_silo 1 "$@"
  wait_ready 1 || { stop_silos; exit 1; }
  echo "silos: starting h2 to h$hosts ..."
  for ((i = 2; i <= hosts; i++)); do start_silo "$i" "$@"; done
  for ((i = 2; i <= hosts; i++)); do wait_ready "$i" || { stop_silos; exit 1; }; done

  for ((i = 1; i <= hosts; i++)); do
    echo "h$i: gRPC http://127.0.0.1:$((50051 + i - 1))  console http://127.0.0.1:$((50080 + i - 1))/  engine $(engine_of "$i")  log $(home_of "$i")/silo.log"
  done
  echo "admin key: $SANDBOXES_HOME/admin.key (every host accepts it; sbx and the SDK on this machine find it)"
  echo "silos: running (Ctrl-C to stop) ..."
  # Any silo that ends on its own ends the cluster, so a crash is never left unnoticed.
  wait -n "${silo_pids[@]}" || status=$?
  for ((i = 1; i <= hosts; i++)); do
    kill -0 "${silo_pids[i]}" 2>/dev/null || echo "run.sh: silo h$i exited (status $status); see $(home_of "$i")/silo.log" >&2
  done
  stop_silos
  exit 1
}
