#!/usr/bin/env bash
# Starts the built app under a virtual X server and saves a screenshot of every lab tab
# (View > <Lab>, Ctrl+1..N) as OUTDIR/<n>-<palette>.png.
# usage: scripts/screenshot.sh OUTDIR [light|dark] [SECONDS]   (needs x11-apps, imagemagick, xdotool)
set -euo pipefail
outdir=$(realpath -m "$1"); palette=${2:-light}; wait=${3:-15}
mkdir -p "$outdir"
here=$(cd "$(dirname "$0")/.." && pwd)
labs="tome fit fam masks flops compare"
xvfb-run -a -s "-screen 0 1600x1000x24" bash -c "
  export TOKENSCOPE_PALETTE=$palette
  '$here/${TOKENSCOPE_BUILD_DIR:-build}/app/tokenscope' &
  pid=\$!
  sleep $wait
  win=\$(xdotool search --sync --onlyvisible --name TokenScope | head -1)
  xdotool windowactivate --sync \$win 2>/dev/null || xdotool windowfocus \$win
  i=1
  for lab in $labs; do
    xdotool key --window \$win ctrl+\$i
    sleep 4
    xwd -id \$win -silent | convert xwd:- '$outdir'/\$i-\$lab-$palette.png
    i=\$((i + 1))
  done
  kill \$pid"
