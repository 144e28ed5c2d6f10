#!/usr/bin/env bash
# The studio in a real X window (Xvfb), driven with xdotool as a user would: open the model, press
# F5 (Training > Start), wait for logged steps, switch tabs (Ctrl+2, Ctrl+3, Ctrl+1), quit mid-run
# (round 1: Ctrl+Q; round 2: File > Quit through the menu with Alt+F, Q; round 3: Ctrl+Q with the
# Train form's Processes set to 2, so the run trains in `fsllm train --nproc 2` child processes),
# and check that the studio exits with code 0 within kQuitSeconds, that the run folder keeps its
# checkpoint and says the run stopped, and (round 3) that no rank outlives the studio.
# Screenshots of the running window go to $FSLLM_CHECK_OUT (default: the temporary folder).
#   tests/ui/realwindow-check.sh FSLLM_STUDIO [MODEL_DIR]
# Needs xvfb-run, xdotool and ImageMagick's import (installer/install-deps.sh installs them).
set -euo pipefail

readonly kQuitSeconds=10
readonly kStartSeconds=180
repoDir="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"

fail() { echo "[realwindow] FAIL: $*" >&2; exit 1; }
log() { echo "[realwindow] $*"; }

if [[ "${1:-}" != "--inner" ]]; then
    [[ $# -ge 1 ]] || { echo "usage: $0 FSLLM_STUDIO [MODEL_DIR]" >&2; exit 2; }
    for tool in xvfb-run xdotool; do
        command -v "${tool}" >/dev/null || fail "${tool} is not installed"
    done
    studio="$(realpath "$1")"
    model="$(realpath "${2:-${repoDir}/resources/models/fsllm-default}")"
    [[ -x "${studio}" ]] || fail "${studio} is not an executable"
    exec xvfb-run -a -s "-screen 0 1280x800x24 -nolisten tcp" "$0" --inner "${studio}" "${model}"
fi

studio="$2"
model="$3"
work="$(mktemp -d -t fsllm-realwindow.XXXXXX)"
out="${FSLLM_CHECK_OUT:-${work}}"
mkdir -p "${out}"
export XDG_CONFIG_HOME="${work}/config" XDG_DATA_HOME="${work}/data" XDG_CACHE_HOME="${work}/cache"
export QT_QPA_PLATFORM=xcb
unset QT_QPA_PLATFORMTHEME || true
runsRoot="${XDG_DATA_HOME}/FS-LLM Studio/fsllm-studio/runs"
studioPid=""
cleanup() {
    [[ -n "${studioPid}" ]] && kill -9 "${studioPid}" 2>/dev/null || true
    [[ -z "${FSLLM_KEEP_WORK:-}" ]] && rm -rf "${work}"
}
trap cleanup EXIT

shoot() {
    if command -v import >/dev/null; then
        import -window root "${out}/$1.png" && log "screenshot ${out}/$1.png"
    fi
}

# Waits up to $1 seconds for the command in the remaining arguments to succeed.
waitFor() {
    local seconds="$1"
    shift
    for ((i = 0; i < seconds * 5; ++i)); do
        "$@" && return 0
        kill -0 "${studioPid}" 2>/dev/null || fail "fsllm-studio died (log: $(tail -n 5 "${logFile}"))"
        sleep 0.2
    done
    return 1
}

stepCount() { # logged steps of the newest run folder
    local metrics
    metrics="$(ls -t "${runsRoot}"/*/metrics.jsonl 2>/dev/null | head -n 1)"
    if [[ -n "${metrics}" ]]; then
        grep -c '"type":"step"' "${metrics}" || true
    else
        echo 0
    fi
}
hasSteps() { [[ "$(stepCount)" -ge 2 ]]; }

round() {
    local name="$1" quitHow="$2" processes="${3:-1}"
    logFile="${work}/${name}.log"
    rm -rf "${runsRoot}"
    # The Train form's remembered settings (QSettings): processes, one thread each.
    local settings="${XDG_CONFIG_HOME}/FS-LLM Studio/fsllm-studio.conf"
    mkdir -p "$(dirname "${settings}")"
    printf '[train]\nprocesses=%s\nthreads=1\n' "${processes}" >"${settings}"
    "${studio}" --model "${model}" --epochs 50 >"${logFile}" 2>&1 &
    studioPid=$!
    waitFor "${kStartSeconds}" grep -q "model opened" "${logFile}" || fail "${name}: the model did not open"
    local window
    window="$(xdotool search --sync --onlyvisible --name 'FS-LLM Studio' | head -n 1)"
    [[ -n "${window}" ]] || fail "${name}: no studio window"
    # No window manager under Xvfb: give the window the input focus directly (XTEST keys follow).
    xdotool windowfocus --sync "${window}"
    xdotool mousemove --window "${window}" 400 300
    sleep 0.5
    xdotool key --clearmodifiers F5
    waitFor "${kStartSeconds}" hasSteps || fail "${name}: no training steps after F5 (log: $(tail -n 5 "${logFile}"))"
    log "${name}: training ($(stepCount) steps logged); switching tabs"
    for key in ctrl+2 ctrl+3 ctrl+1; do
        xdotool key --clearmodifiers "${key}"
        sleep 0.7
    done
    shoot "realwindow-${name}"
    grep -q "finished: completed" "${logFile}" && fail "${name}: the run ended before the quit"
    local start=${SECONDS}
    if [[ "${quitHow}" == "menu" ]]; then
        xdotool key --clearmodifiers alt+f
        sleep 0.5
        xdotool key --clearmodifiers q
    else
        xdotool key --clearmodifiers ctrl+q
    fi
    local code=0
    for ((i = 0; i < kQuitSeconds * 10; ++i)); do
        kill -0 "${studioPid}" 2>/dev/null || break
        sleep 0.1
    done
    if kill -0 "${studioPid}" 2>/dev/null; then
        fail "${name}: still running ${kQuitSeconds} s after the quit (log: $(tail -n 5 "${logFile}"))"
    fi
    wait "${studioPid}" || code=$?
    studioPid=""
    [[ "${code}" -eq 0 ]] || fail "${name}: exit code ${code} (log: $(tail -n 5 "${logFile}"))"
    local run
    run="$(ls -td "${runsRoot}"/*/ | head -n 1)"
    [[ -d "${run}checkpoint" || -d "${run}checkpoint.old" ]] || fail "${name}: no checkpoint in ${run}"
    grep -q "finished: stopped by user" "${run}train.log" ||
        fail "${name}: ${run}train.log does not say the run stopped"
    if [[ "${processes}" -gt 1 ]]; then
        grep -q "world_size\": ${processes}" "${run}run.json" || fail "${name}: run.json's world_size is not ${processes}"
        sleep 1
        if pgrep -f "fsllm train.*${runsRoot}" >/dev/null; then
            fail "${name}: a rank outlived the studio: $(pgrep -af "fsllm train.*${runsRoot}")"
        fi
    fi
    log "${name}: exit 0 after $((SECONDS - start)) s, checkpoint kept in ${run}checkpoint"
}

round ctrlq key
round menu menu
round processes key 2
log "passed"
