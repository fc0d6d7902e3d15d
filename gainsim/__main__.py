from gainsim.cli import main

raise SystemExit(main())
