#!/usr/bin/env bash
# Start the production stack on loopback (see scripts/prod_stack.sh and deploy/README.md).
exec "$(dirname "$0")/prod_stack.sh" up
