#!/usr/bin/env bash
# Starts the built app under a virtual X server, waits, and saves a screenshot of the screen.
# usage: scripts/screenshot.sh OUT.png [SECONDS] [app arguments...]  (needs x11-apps, imagemagick)
set -euo pipefail
out=$1; wait=${2:-12}; shift $(( $# > 1 ? 2 : 1 ))
here=$(cd "$(dirname "$0")/.." && pwd)
xvfb-run -a -s "-screen 0 1600x1000x24" bash -c "
  '$here/${TOKENSCOPE_BUILD_DIR:-build}/app/tokenscope' $* &
  pid=\$!
  sleep $wait
  xwd -root -silent | convert xwd:- '$out'
  kill \$pid"
