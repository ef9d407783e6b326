"""CLI subcommands: each module has `add_parser(subparsers)` and `async run(args, settings) -> int`."""
