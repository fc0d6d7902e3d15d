from gainsim.cli.main import entry

entry()
