"""`python -m bot` is the same as `hocvuso`."""

from bot.cli import main

raise SystemExit(main())
