"""The `gainsim` command: one module per sub-command."""
