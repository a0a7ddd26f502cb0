"""Security tests: headers, accounts, attacks on public and admin surfaces, backups."""
