#!/bin/bash
# sup_leak_forkserver.sh BUILD — Python multiprocessing's forkserver start method under --fail-on-leak: no false leak (lib/leak_mp.sh).
MP_METHOD=forkserver exec bash "$(dirname "$0")/lib/leak_mp.sh" "${1:-build}"
