"""Every write of budgets and grants: `budgets` (create, plan lines), `expenses` (record, mark
paid, void) and `grants` (apply, withdraw, decide, report). Each is one transaction; the ones
that can take money past a plan hold a row lock on the budget while they check it."""
