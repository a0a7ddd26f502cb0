#!/usr/bin/env bash
# Stop the loopback production stack started by scripts/prod_up.sh.
exec "$(dirname "$0")/prod_stack.sh" down
