"""The exit codes of ``ledger``, declared once; scripts and the scheduler rely on them."""

DONE = 0                # the command did its work
USER_MISTAKE = 1        # the user's mistake or the world's (a file, the settings, the database server): one Chinese line
USAGE = 2               # the command line itself was wrong (unknown option, missing argument)
INTERNAL = 3            # a bug of ours: one Chinese line, the traceback with LEDGER_DEBUG=1
NEEDS_ATTENTION = 4     # collect went through, but some files need the office (held, left in inbox/);
                        # remind went through, but some messages did not go (given up, or waiting to be retried)
INTERRUPTED = 130       # Ctrl-C or SIGTERM
