"""The web app (`vsledger serve`, the optional `web` extra): a layer beside the CLI, over the same library."""
