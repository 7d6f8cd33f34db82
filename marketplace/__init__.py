"""The marketplace application: commands, settings, the projection runner and the CLI."""
