from gainsim.cli.main import main

raise SystemExit(main())
