"""``relayctl``: the command-line entry point. Modules here parse arguments and call the core."""
