from vsledger.cli.app import run

run()
