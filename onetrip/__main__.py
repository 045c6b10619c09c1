"""Console entry point: ``onetrip <command>`` is ``manage.py <command>``.

Operators' jobs: ``onetrip demo``, ``onetrip serve``, ``onetrip catalog_export``,
``onetrip catalog_import`` (each with ``--help``).
"""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "onetrip.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
