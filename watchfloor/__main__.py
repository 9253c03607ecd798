from watchfloor.cli.main import run

run()
