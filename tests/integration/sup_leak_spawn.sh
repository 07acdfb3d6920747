#!/bin/bash
# sup_leak_spawn.sh BUILD — Python multiprocessing's spawn start method under --fail-on-leak: no false leak (lib/leak_mp.sh).
MP_METHOD=spawn exec bash "$(dirname "$0")/lib/leak_mp.sh" "${1:-build}"
