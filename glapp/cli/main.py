"""The `glapp` command: friendly names for the management commands an operator needs.

`glapp --help` is answered without importing Django settings, so it works before anything is
configured; every other subcommand runs the matching Django management command.
"""

import os
import sys

# glapp subcommand -> (Django management command, one-line description)
COMMANDS: dict[str, tuple[str, str]] = {
    "demo": ("demo", "Create the demo organization with realistic data, then serve it"),
    "serve": ("serve", "Run the web app and API with gunicorn"),
    "worker": ("worker", "Process background tasks (file imports, housekeeping)"),
    "import": ("import_responses", "Import responses from a CSV or XLSX file"),
    "export": ("export_responses", "Export responses to CSV"),
    "migrate": ("migrate", "Create or update the database schema"),
    "org": ("org", "Create an organization and its first owner, or list organizations"),
    "setup-token": ("setup_token", "Print a new one-time token for the first-run page of an empty installation"),
    "createuser": ("createuser", "Create a user and give them a role in an organization"),
    "apikey": ("apikey", "Create, list or revoke API keys"),
    "analyze": ("analyze", "Analyze comments (an organization's, or any CSV/XLSX/JSONL file) offline"),
    "report": ("report", "Print a metric with intervals and change tests as a table"),
    "rollups": ("rollups", "Rebuild rollups, or choose the metadata keys they keep"),
    "invite": ("invite", "Invite customers to a relationship survey (contact rules apply)"),
    "customer": ("customer", "Erase a customer, or export everything glapp holds about them"),
    "retention": ("retention", "Apply the organizations' retention periods now (or count them, --dry-run)"),
    "manage": ("", "Run any Django management command, e.g. `glapp manage check --deploy`"),
}


def usage() -> str:
    width = max(len(name) for name in COMMANDS)
    lines = [
        "usage: glapp <command> [options]",
        "",
        "glapp, the open-source Voice-of-the-Customer platform.",
        "",
        "commands:",
        *(f"  {name.ljust(width)}  {description}" for name, (_, description) in COMMANDS.items()),
        "",
        "Run `glapp <command> --help` for a command's options.",
        "",
        "Configuration comes from the environment: GLAPP_SECRET_KEY and DATABASE_URL for production;",
        "with neither set, glapp runs in local demo mode on SQLite under ./var (GLAPP_DATA_DIR).",
    ]
    return "\n".join(lines)


def configure_environment(environ=os.environ) -> None:
    environ.setdefault("DJANGO_SETTINGS_MODULE", "glapp.config.settings")
    # No secret key and no database server: this is someone trying glapp on their own machine,
    # not a deployment, so use the local demo defaults (generated key, localhost only) instead of
    # refusing to start. A production deployment sets GLAPP_SECRET_KEY and keeps strict defaults.
    if not environ.get("GLAPP_SECRET_KEY") and not environ.get("DATABASE_URL"):
        environ.setdefault("GLAPP_DEMO", "1")


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] in {"-h", "--help", "help"}:
        print(usage())
        return 0
    name, rest = argv[0], argv[1:]
    if name not in COMMANDS:
        print(f"glapp: unknown command {name!r}\n\n{usage()}", file=sys.stderr)
        return 2
    command = COMMANDS[name][0]

    configure_environment()
    import django
    from django.core.management import ManagementUtility, execute_from_command_line

    if name == "manage":
        execute_from_command_line(["glapp manage", *rest])
        return 0
    django.setup()
    # Run the command under its glapp name so usage and errors read "glapp import ...".
    ManagementUtility(["glapp", command]).fetch_command(command).run_from_argv(["glapp", name, *rest])
    return 0


if __name__ == "__main__":
    sys.exit(main())
